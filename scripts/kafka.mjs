#!/usr/bin/env node
// Local Apache Kafka for development and tests:
//   node scripts/kafka.mjs start [--port N] [--fresh] [--heap-mb N] [--ready-timeout D] [--stop-on-timeout]
//                                                       start in the background, print brokers
//   node scripts/kafka.mjs stop [--port N]              controlled shutdown
//   node scripts/kafka.mjs status [--port N]            running / stopped
//   node scripts/kafka.mjs resolve                      download the pinned jars only
// The controller listens on port N+1. State (data, logs, pid) lives in .cache/kafka/broker-<N>.
// `start` waits up to --ready-timeout (a duration: 90s, 10m; default 5m, or HOOKLINE_KAFKA_READY_TIMEOUT)
// for the broker to answer, which after an unclean shutdown takes as long as recovering every
// partition. A broker still starting then is left running (reported, with what to do next) unless
// --stop-on-timeout; one that exited or stopped writing to its log for a minute is stopped.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
require('../tools/infra/kafkajs-warning.cjs').silenceNegativeTimeoutWarning();
const kafka = require('../tools/infra/kafka.cjs');

const usage =
  'usage: node scripts/kafka.mjs start|stop|status|resolve [--port N] [--fresh] [--heap-mb N] ' +
  '[--ready-timeout D] [--stop-on-timeout]';

/** Parses the command line; unknown flags are an error so a typo never starts the wrong broker. */
function parseCommandLine(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      'heap-mb': { type: 'string' },
      'ready-timeout': { type: 'string' },
      'stop-on-timeout': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const port = values.port === undefined ? kafka.DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65534)
    throw new Error(`--port must be 1..65534, got ${values.port}`);
  const heapMb = values['heap-mb'] === undefined ? undefined : Number(values['heap-mb']);
  if (heapMb !== undefined && (!Number.isInteger(heapMb) || heapMb < 128)) {
    throw new Error(`--heap-mb must be an integer >= 128, got ${values['heap-mb']}`);
  }
  const readyTimeout = values['ready-timeout'];
  const readyTimeoutMs = readyTimeout === undefined ? undefined : kafka.parseDuration(readyTimeout);
  if (readyTimeout !== undefined && readyTimeoutMs === undefined) {
    throw new Error(`--ready-timeout must be a duration such as 90s, 10m or 600000, got ${readyTimeout}`);
  }
  return {
    command: positionals[0],
    extra: positionals.slice(1),
    port,
    heapMb,
    readyTimeoutMs,
    stopOnTimeout: values['stop-on-timeout'],
    fresh: values.fresh,
    help: values.help,
  };
}

const log = (line) => console.error(line);

async function main() {
  const args = parseCommandLine(process.argv.slice(2));
  if (args.help || !args.command || args.extra.length > 0) {
    console.error(usage);
    return args.help ? 0 : 2;
  }
  switch (args.command) {
    case 'resolve': {
      const resolved = kafka.resolveKafka({ log });
      log(
        `Kafka ${resolved.version} jars ${resolved.cached ? 'already cached' : 'resolved'} in ${resolved.libsDir}`,
      );
      return 0;
    }
    case 'start': {
      const broker = await kafka.startKafka({
        port: args.port,
        heapMb: args.heapMb,
        fresh: args.fresh,
        readyTimeoutMs: args.readyTimeoutMs,
        stopOnTimeout: args.stopOnTimeout,
        log,
      });
      if (broker.reused) log(`Kafka already running on ${broker.brokers} (pid ${broker.pid})`);
      // Only the brokers string goes to stdout so callers can capture it: KAFKA_BROKERS=$(... start).
      console.log(broker.brokers);
      return 0;
    }
    case 'stop': {
      const outcome = await kafka.stopKafka({ port: args.port });
      if (outcome.kind === 'not-running') log(`No Kafka running on port ${args.port}`);
      else log(`Stopped Kafka (pid ${outcome.pid})${outcome.forced ? ' after it ignored SIGTERM' : ''}`);
      return 0;
    }
    case 'status': {
      const status = await kafka.kafkaStatus({ port: args.port });
      if (status.kind === 'stopped') {
        console.log(`stopped (port ${args.port})`);
        return 3;
      }
      console.log(
        `running on ${status.brokers} (pid ${status.pid})${status.answering ? '' : ', not answering yet'}; log: ${status.logFile}`,
      );
      return status.answering ? 0 : 1;
    }
    default:
      console.error(`unknown command "${args.command}"\n${usage}`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
