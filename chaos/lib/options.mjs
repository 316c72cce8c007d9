// Command line of the fault-injection suite and its two run profiles.
import { parseCommandLine, parseList, parseSettings } from '../../bench/lib/command-line.mjs';

/** Every scenario, in the order a run takes them. */
export const SCENARIO_IDS = [
  'none',
  'kill-services',
  'kill-broker',
  'restart-postgres',
  'receiver-outage',
  'scale',
];

/**
 * How hard and how long each scenario pushes. `full` is the suite; `smoke` proves the harness works
 * (and that the basics hold) in a few minutes.
 */
export const PROFILES = {
  full: {
    scenarios: SCENARIO_IDS,
    // Events per second offered during each scenario, and the part written straight to Kafka.
    rate: 60,
    kafkaShare: 0.2,
    // Load of the baseline; a fault scenario's load lasts at least this long and always covers its
    // faults, with `leadMs` of steady load before the first and `tailMs` after the last.
    durationMs: 120_000,
    leadMs: 15_000,
    tailMs: 15_000,
    kills: { services: ['ingest', 'dispatcher', 'retry-scheduler', 'subscription'], rounds: 5 },
    killDownMs: 3_000,
    killGapMs: 4_000,
    broker: { times: 2, downMs: 5_000, gapMs: 30_000 },
    postgres: { times: 2, downMs: 5_000, gapMs: 30_000 },
    outageMs: 60_000,
    scale: { cycles: 4, upMs: 20_000, gapMs: 10_000 },
    // After the load and the last fault, how long every expected delivery may take to arrive.
    drainMs: 180_000,
    // Then a pause in which late duplicates still count.
    settleMs: 10_000,
    // How long the load generator keeps retrying one REST request (same Idempotency-Key).
    retryWindowMs: 90_000,
  },
  smoke: {
    scenarios: ['none', 'kill-services', 'receiver-outage'],
    rate: 20,
    kafkaShare: 0.2,
    durationMs: 12_000,
    leadMs: 4_000,
    tailMs: 4_000,
    kills: { services: ['dispatcher'], rounds: 1 },
    killDownMs: 3_000,
    killGapMs: 2_000,
    broker: { times: 1, downMs: 3_000, gapMs: 5_000 },
    postgres: { times: 1, downMs: 3_000, gapMs: 5_000 },
    outageMs: 10_000,
    scale: { cycles: 1, upMs: 8_000, gapMs: 3_000 },
    drainMs: 90_000,
    settleMs: 3_000,
    retryWindowMs: 45_000,
  },
};

/**
 * Service settings of every scenario. The retry schedule is scaled down from hours to seconds but
 * still adds up to more than two minutes, longer than the longest receiver outage, so a delivery
 * that runs out of retries is a finding, not a consequence of the setup. A short breaker reset, and
 * a defer delay matched to it, let an endpoint that is back receive its backlog within seconds.
 */
export const SERVICE_SETTINGS = {
  HOOKLINE_RETRY_SCHEDULE: '1s,2s,4s,8s,16s,32s,32s,32s',
  DISPATCHER_BREAKER_RESET: '3s',
  HOOKLINE_DEFER_DELAY: '3s',
};

const USAGE = `usage: npm run chaos [-- options]
  --smoke                 ${PROFILES.smoke.scenarios.join(', ')}, small load (a few minutes; what CI runs)
  --scenarios LIST        ${SCENARIO_IDS.join(',')} (default: all, or the smoke set)
  --duration SECONDS      baseline load, and the least load of every scenario (default 120, smoke 12)
  --rate N                events per second (default 60, smoke 20)
  --kafka-share F         part of the events written straight to the ingest topic (default 0.2)
  --outage SECONDS        how long the receiver stays down in receiver-outage (default 60, smoke 10)
  --drain SECONDS         longest wait for the last deliveries after the faults (default 180, smoke 90)
  --out DIR               where the reports go (default chaos/results, smoke .cache/chaos/smoke)
  --no-build              skip building the services
  --kafka-port N          the suite's own broker (default 29292, smoke 29392; N+1 is its controller)
  --port-base N           services on N..N+5, receivers on N+10..N+14, the private PostgreSQL on N+20
                          (default 4101, smoke 4141)
  --set KEY=VALUE         extra service environment, repeatable (e.g. --set LOG_LEVEL=info)`;

function seconds(value, flag) {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`${flag} expects a positive number of seconds`);
  return Math.round(number * 1000);
}

/** Parses the command line; unknown flags stop the run with the usage text. */
export function readOptions(argv) {
  const values = parseCommandLine(
    argv,
    {
      smoke: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      'kafka-share': { type: 'string' },
      outage: { type: 'string' },
      drain: { type: 'string' },
      out: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'kafka-port': { type: 'string' },
      'port-base': { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
    },
    USAGE,
  );
  const mode = values.smoke ? 'smoke' : 'full';
  const profile = { ...PROFILES[mode] };
  if (values.duration !== undefined) profile.durationMs = seconds(values.duration, '--duration');
  if (values.outage !== undefined) profile.outageMs = seconds(values.outage, '--outage');
  if (values.drain !== undefined) profile.drainMs = seconds(values.drain, '--drain');
  if (values.rate !== undefined) {
    profile.rate = Number(values.rate);
    if (!(profile.rate > 0 && profile.rate <= 1000)) throw new Error('--rate expects 0 < N <= 1000');
  }
  if (values['kafka-share'] !== undefined) {
    profile.kafkaShare = Number(values['kafka-share']);
    if (!(profile.kafkaShare >= 0 && profile.kafkaShare <= 1)) throw new Error('--kafka-share expects 0..1');
  }
  const scenarios = values.scenarios
    ? parseList(values.scenarios, SCENARIO_IDS, '--scenarios')
    : profile.scenarios;
  const overrides = { ...SERVICE_SETTINGS, ...parseSettings(values.set) };
  return {
    mode,
    profile,
    // Run order is the catalogue's, whatever order the list was given in.
    scenarios: SCENARIO_IDS.filter((id) => scenarios.includes(id)),
    out: values.out ?? (mode === 'smoke' ? '.cache/chaos/smoke' : 'chaos/results'),
    build: !values['no-build'],
    // Below the ephemeral port range, so no client socket can hold the port while the broker is down.
    kafkaPort: Number(values['kafka-port'] ?? (mode === 'smoke' ? 29392 : 29292)),
    portBase: Number(values['port-base'] ?? (mode === 'smoke' ? 4141 : 4101)),
    overrides,
    argv,
  };
}
