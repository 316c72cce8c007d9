// Command line of the benchmark and the two run profiles.
import { parseCommandLine, parseList, parseSettings } from './command-line.mjs';

/** How long each part runs. `full` is the benchmark; `smoke` proves the harness works in seconds. */
export const PROFILES = {
  full: {
    throughput: {
      fanouts: [1, 10],
      warmupMs: 5_000,
      measureMs: 20_000,
      batchSize: 50,
      backlogPerEndpoint: 250,
    },
    latency: { rates: [200, 1_000], warmupMs: 3_000, measureMs: 12_000, tickMs: 5 },
    // 100 events/s to ten endpoints keeps the healthy endpoints well inside what this class of
    // machine sustains, so "alone" is a calm reference and any difference is the neighbour's doing.
    isolation: { rate: 100, slowDelayMs: 5_000, warmupMs: 3_000, measureMs: 10_000 },
    bullmqSweep: { workers: [1, 2], concurrency: [16, 64, 256], warmupMs: 2_000, measureMs: 5_000 },
    bullmqIsolation: true,
    profile: { mode: 'separate', warmupMs: 3_000, measureMs: 12_000 },
    // Before its first measured phase every stack runs flat out, then at the highest fixed rate: a
    // freshly started broker and fresh Node.js processes spend their first minute compiling hot code
    // (each load pattern its own), not doing the work.
    stackWarmup: { flatOutMs: 30_000, atRateMs: 15_000 },
    drainMs: 45_000,
    // Drains are cut short as the run nears this, so a full run stays under 17 minutes.
    budgetMs: 16 * 60_000,
    settleMs: 3_000,
  },
  smoke: {
    throughput: { fanouts: [1, 10], warmupMs: 500, measureMs: 1_500, batchSize: 20, backlogPerEndpoint: 100 },
    latency: { rates: [50], warmupMs: 300, measureMs: 1_200, tickMs: 5 },
    isolation: { rate: 20, slowDelayMs: 5_000, warmupMs: 300, measureMs: 1_200 },
    bullmqSweep: { workers: [1], concurrency: [64] },
    // Scenarios 3 and 4 run the same code for every system; Hookline's runs cover it in a smoke run.
    bullmqIsolation: false,
    profile: { mode: 'whole-run' },
    stackWarmup: null,
    drainMs: 30_000,
    budgetMs: 110_000,
    settleMs: 500,
  },
};

const SYSTEMS = ['hookline', 'undici', 'bullmq'];
const SCENARIOS = ['throughput', 'latency', 'slow', 'storm'];

const USAGE = `usage: npm run bench [-- options]
  --smoke                 a few seconds per scenario, tiny load (what CI runs)
  --out DIR               where the reports go (default bench/results, smoke: .cache/bench/smoke)
  --systems LIST          ${SYSTEMS.join(',')} (default all)
  --scenarios LIST        ${SCENARIOS.join(',')} (default all; resources and the profile come with throughput)
  --no-build              skip \`nx run-many -t build\`
  --no-profile            skip the profiled dispatcher run
  --kafka-port N          the benchmark's own broker (default 47092, smoke 47192; N+1 is its controller)
  --port-base N           first of four service ports (default 47101, smoke 47201)
  --redis HOST:PORT       Redis of the BullMQ baseline (default 127.0.0.1:6379; started when absent)
  --set KEY=VALUE         extra service environment, repeatable (e.g. --set DISPATCHER_MAX_IN_FLIGHT_PER_ENDPOINT=32)`;

/** Parses the command line; unknown flags stop the run with the usage text. */
export function readOptions(argv) {
  const values = parseCommandLine(
    argv,
    {
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      systems: { type: 'string', default: SYSTEMS.join(',') },
      scenarios: { type: 'string', default: SCENARIOS.join(',') },
      'no-build': { type: 'boolean', default: false },
      'no-profile': { type: 'boolean', default: false },
      'kafka-port': { type: 'string' },
      'port-base': { type: 'string' },
      redis: { type: 'string', default: '127.0.0.1:6379' },
      set: { type: 'string', multiple: true, default: [] },
    },
    USAGE,
  );
  const mode = values.smoke ? 'smoke' : 'full';
  const [redisHost, redisPort] = values.redis.split(':');
  const overrides = parseSettings(values.set);
  return {
    mode,
    profile: PROFILES[mode],
    out: values.out ?? (mode === 'smoke' ? '.cache/bench/smoke' : 'bench/results'),
    systems: new Set(parseList(values.systems, SYSTEMS, '--systems')),
    scenarios: new Set(parseList(values.scenarios, SCENARIOS, '--scenarios')),
    build: !values['no-build'],
    cpuProfile: !values['no-profile'],
    // Smoke runs (CI) and full runs use different ports, so one never collides with the other.
    kafkaPort: Number(values['kafka-port'] ?? (mode === 'smoke' ? 47192 : 47092)),
    portBase: Number(values['port-base'] ?? (mode === 'smoke' ? 47201 : 47101)),
    redis: { host: redisHost, port: Number(redisPort ?? 6379) },
    overrides,
    argv,
  };
}
