#!/usr/bin/env node
// Creates or updates every Kafka topic Hookline declares, and prints what changed:
//   node scripts/topics.mjs [--brokers host:port,...] [--preset NAME] [--partitions N]
//                           [--event-partitions N] [--replication-factor N] [--list]
// Settings come from the same environment the services read (KAFKA_*, HOOKLINE_PRESET,
// HOOKLINE_RETRY_SCHEDULE, HOOKLINE_TOPIC_PARTITIONS, HOOKLINE_EVENT_TOPIC_PARTITIONS,
// HOOKLINE_TOPIC_REPLICATION_FACTOR); flags
// override them. `--list` prints the declarations without contacting Kafka. Never deletes a topic.
// Needs the built libraries: `npm run build` first.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
require('../tools/infra/kafkajs-warning.cjs').silenceNegativeTimeoutWarning();
const { loadLibrary } = require('../tools/infra/workspace-library.cjs');

const usage =
  'usage: node scripts/topics.mjs [--brokers host:port,...] [--preset NAME] [--partitions N] [--event-partitions N] [--replication-factor N] [--list]';

/** Flags win over the environment; they are mapped onto the keys the services read. */
function environmentWithFlags(values) {
  const env = { ...process.env };
  if (values.brokers !== undefined) env.KAFKA_BROKERS = values.brokers;
  if (values.preset !== undefined) env.HOOKLINE_PRESET = values.preset;
  if (values.partitions !== undefined) env.HOOKLINE_TOPIC_PARTITIONS = values.partitions;
  if (values['event-partitions'] !== undefined)
    env.HOOKLINE_EVENT_TOPIC_PARTITIONS = values['event-partitions'];
  if (values['replication-factor'] !== undefined)
    env.HOOKLINE_TOPIC_REPLICATION_FACTOR = values['replication-factor'];
  return env;
}

async function main() {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      brokers: { type: 'string' },
      preset: { type: 'string' },
      partitions: { type: 'string' },
      'event-partitions': { type: 'string' },
      'replication-factor': { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length > 0) {
    console.error(usage);
    return values.help ? 0 : 2;
  }

  const { readConfig } = loadLibrary('config');
  const { readPreset, retryTiers } = loadLibrary('presets');
  const kafkaLib = loadLibrary('kafka');

  const settings = readConfig(environmentWithFlags(values), (r) => ({
    kafka: kafkaLib.readKafkaConfig(r, { clientId: 'hookline-topics' }),
    preset: readPreset(r),
    partitions: r.int('HOOKLINE_TOPIC_PARTITIONS', {
      default: kafkaLib.DEFAULT_PARTITIONS,
      min: 1,
      max: 1000,
    }),
    eventPartitions: r.int('HOOKLINE_EVENT_TOPIC_PARTITIONS', {
      default: kafkaLib.DEFAULT_EVENT_PARTITIONS,
      min: 1,
      max: 1000,
    }),
    replicationFactor: r.int('HOOKLINE_TOPIC_REPLICATION_FACTOR', { default: 1, min: 1, max: 16 }),
  }));
  const specs = kafkaLib.declareTopics({
    retryDelaysMs: retryTiers(settings.preset.retry),
    partitions: settings.partitions,
    eventPartitions: settings.eventPartitions,
    replicationFactor: settings.replicationFactor,
  });

  if (values.list) {
    for (const spec of specs) {
      const configs = Object.entries(spec.configs)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ');
      console.log(
        `${spec.name}  partitions=${spec.partitions} rf=${spec.replicationFactor} ${configs}\n    ${spec.purpose}`,
      );
    }
    return 0;
  }

  const kafka = kafkaLib.createKafka(settings.kafka);
  const report = await kafkaLib.ensureTopicsOnCluster(kafka, specs);
  const lines = kafkaLib.describeEnsureTopicsReport(report);
  for (const line of lines) console.log(line);
  console.log(
    `${specs.length} topics declared (preset ${settings.preset.name}): ${report.changes.length} change(s), ` +
      `${report.unchanged.length} already up to date${report.drift.length > 0 ? `, ${report.drift.length} note(s)` : ''}.`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
