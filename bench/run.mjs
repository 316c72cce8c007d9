#!/usr/bin/env node
// The benchmark (bench/lib/suite.mjs), run after building the workspace.
//   npm run bench [-- --smoke] [-- --help]
import { buildThenRun } from './lib/infra.mjs';
import { createRequire } from 'node:module';
import { readOptions } from './lib/options.mjs';

createRequire(import.meta.url)('../tools/infra/kafkajs-warning.cjs').silenceNegativeTimeoutWarning();
const { build } = readOptions(process.argv.slice(2));
await buildThenRun(new URL('./lib/suite.mjs', import.meta.url), { build });
