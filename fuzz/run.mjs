#!/usr/bin/env node
// The fuzz suite (fuzz/lib/suite.mjs), run after building the services.
//   npm run fuzz [-- --seed N] [-- --requests N] [-- --help]
// Exits non-zero when any request got a server error, no answer in time, or a refusal that does not
// name its problem, when a service died, or when a service's memory grew past the bound.
import { buildThenRun } from '../bench/lib/infra.mjs';
import { readOptions } from './lib/options.mjs';

const { build } = readOptions(process.argv.slice(2));
await buildThenRun(new URL('./lib/suite.mjs', import.meta.url), { build });
