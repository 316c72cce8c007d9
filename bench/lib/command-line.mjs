// What the benchmark's and the fault-injection suite's command lines share.
import { parseArgs } from 'node:util';

/**
 * Parses `argv` with `options` plus `--help` (which prints `usage` and exits); unknown flags stop
 * the run with parseArgs' error.
 */
export function parseCommandLine(argv, options, usage) {
  const { values } = parseArgs({
    args: argv,
    options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}

/** A comma-separated list whose every item is one of `allowed`. */
export function parseList(value, allowed, flag) {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const item of items)
    if (!allowed.includes(item)) throw new Error(`${flag}: unknown "${item}" (${allowed.join(', ')})`);
  return items;
}

/** `--set KEY=VALUE` pairs (service settings) as an object. */
export function parseSettings(pairs) {
  const settings = {};
  for (const pair of pairs) {
    const split = pair.indexOf('=');
    if (split <= 0) throw new Error(`--set expects KEY=VALUE, got "${pair}"`);
    settings[pair.slice(0, split)] = pair.slice(split + 1);
  }
  return settings;
}
