#!/usr/bin/env node
// The fault-injection suite (chaos/lib/suite.mjs), run after building the services.
//   npm run chaos [-- --smoke] [-- --help]
// Exits non-zero when a delivery was lost, a retry was sent early, a request was badly signed, or
// the baseline delivered anything twice.
import { buildThenRun } from '../bench/lib/infra.mjs';
import { createRequire } from 'node:module';
import { readOptions } from './lib/options.mjs';

createRequire(import.meta.url)('../tools/infra/kafkajs-warning.cjs').silenceNegativeTimeoutWarning();
const { build } = readOptions(process.argv.slice(2));
await buildThenRun(new URL('./lib/suite.mjs', import.meta.url), { build });
