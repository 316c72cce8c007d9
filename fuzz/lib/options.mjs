// Command line of the fuzz suite.
import { parseArgs } from 'node:util';
import { freshSeed, seedOf } from './random.mjs';

const USAGE = `usage: npm run fuzz [-- options]
  --seed N           the run's seed (default: a fresh one, printed); the same seed sends the same requests
  --requests N       malformed requests to send (default 10000), across ingest, the REST API and gRPC
  --only LIST        only these case indexes of the seed (e.g. 17,4096), to reproduce a failure
  --concurrency N    requests in flight at once (default 8)
  --deadline SEC     longest wait for one answer before it counts as a hang (default 30)
  --settle SEC       quiet time before each memory sample (default 5)
  --rss-bound MIB    most a service's RSS may grow over the run, after a forced collection (default 64)
  --heap-bound MIB   most a service's V8 heap in use may grow over the run, likewise (default 16)
  --out DIR          where report.json goes (default fuzz/results)
  --brokers LIST     an existing Kafka broker (default KAFKA_BROKERS, else a fresh one on --kafka-port)
  --kafka-port N     port of the suite's own broker (default 29492; N+1 is its controller)
  --no-build         skip building the services`;

function positive(value, flag, { integer = true } = {}) {
  const number = Number(value);
  if (!(number > 0) || (integer && !Number.isInteger(number)))
    throw new Error(`${flag} expects a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  return number;
}

/** Parses the command line; unknown flags stop the run with the usage text. */
export function readOptions(argv, env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      requests: { type: 'string' },
      only: { type: 'string' },
      concurrency: { type: 'string' },
      deadline: { type: 'string' },
      settle: { type: 'string' },
      'rss-bound': { type: 'string' },
      'heap-bound': { type: 'string' },
      out: { type: 'string' },
      brokers: { type: 'string' },
      'kafka-port': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = values.only
    ? values.only.split(',').map((item) => {
        const index = Number(item.trim());
        if (!Number.isInteger(index) || index < 0)
          throw new Error(`--only expects case indexes, got "${item}"`);
        return index;
      })
    : undefined;
  return {
    seed: values.seed === undefined ? freshSeed() : seedOf(values.seed),
    requests: values.requests === undefined ? 10_000 : positive(values.requests, '--requests'),
    only,
    concurrency: values.concurrency === undefined ? 8 : positive(values.concurrency, '--concurrency'),
    deadlineMs:
      1000 *
      (values.deadline === undefined ? 30 : positive(values.deadline, '--deadline', { integer: false })),
    settleMs:
      1000 * (values.settle === undefined ? 5 : positive(values.settle, '--settle', { integer: false })),
    rssBoundMiB:
      values['rss-bound'] === undefined
        ? 64
        : positive(values['rss-bound'], '--rss-bound', { integer: false }),
    heapBoundMiB:
      values['heap-bound'] === undefined
        ? 16
        : positive(values['heap-bound'], '--heap-bound', { integer: false }),
    out: values.out ?? 'fuzz/results',
    brokers: values.brokers ?? env.KAFKA_BROKERS ?? undefined,
    kafkaPort: values['kafka-port'] === undefined ? 29492 : positive(values['kafka-port'], '--kafka-port'),
    build: !values['no-build'],
    argv,
  };
}
