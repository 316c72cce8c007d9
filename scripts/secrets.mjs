#!/usr/bin/env node
// Endpoint secrets at rest (signing secrets, the secret kept through a rotation window, custom header
// values):
//   node scripts/secrets.mjs seal     seal every value still stored in plaintext (written before sealing)
//   node scripts/secrets.mjs rotate   the same, and re-seal every value sealed with a key other than the
//                                     active one (after making a new key active)
//   options: --batch-size N (endpoints per transaction, default 200)
// Both go through the endpoints in batches, each in one transaction, and write every endpoint's state
// to the subscription changelog again, so its latest records hold only values sealed with the active
// key. Both are idempotent; they print counts as they go. Exit status 1 when a value did not open (a
// key missing from the keyring, or an altered value): those endpoints are named and left as they were.
// Reads the services' environment: DATABASE_URL, KAFKA_*, HOOKLINE_SECRET_KEYS or
// HOOKLINE_SECRET_KEYS_FILE. Needs the built libraries: `npm run build` first.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
require('../tools/infra/kafkajs-warning.cjs').silenceNegativeTimeoutWarning();
const { loadLibrary } = require('../tools/infra/workspace-library.cjs');

const usage = 'usage: node scripts/secrets.mjs seal|rotate [--batch-size N]';

/** The database's host and name, for the log; never its credentials. */
function describeDatabase(url) {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
}

async function main() {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      'batch-size': { type: 'string', default: '200' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [mode, ...extra] = positionals;
  const batchSize = Number(values['batch-size']);
  if (
    !['seal', 'rotate'].includes(mode) ||
    extra.length > 0 ||
    !Number.isInteger(batchSize) ||
    batchSize < 1
  ) {
    console.error(usage);
    return 2;
  }

  const { readConfig } = loadLibrary('config');
  const { readKafkaConfig, createKafka } = loadLibrary('kafka');
  const { readSecretKeys, SecretSealer, DEVELOPMENT_KEY_WARNING } = loadLibrary('sealing');
  const persistence = loadLibrary('persistence');

  const settings = readConfig(process.env, (r) => ({
    kafka: readKafkaConfig(r, { clientId: 'hookline-secrets' }),
    keys: readSecretKeys(r, (path) => readFileSync(path, 'utf8')),
    // DATABASE_URL: the Hookline database, as the services read it.
    databaseUrl: r.url('DATABASE_URL', {
      default: 'postgres://postgres@127.0.0.1:5432/hookline',
      protocols: ['postgres', 'postgresql'],
    }),
  }));
  if (settings.keys.development) console.error(`warning: ${DEVELOPMENT_KEY_WARNING}`);
  console.error(
    `${mode}: database ${describeDatabase(settings.databaseUrl)}, active key "${settings.keys.activeKid}" ` +
      `(keyring: ${settings.keys.kids.join(', ')})`,
  );

  const dataSource = persistence.createDataSource({
    url: settings.databaseUrl,
    poolSize: 2,
    applicationName: 'hookline-secrets',
  });
  const { Partitioners } = require('kafkajs');
  // Keyed by endpoint id with the partitioner the subscription service uses, so each endpoint's
  // records land on the partition its earlier ones are on and compaction replaces them.
  const producer = createKafka(settings.kafka).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let failed;
  try {
    await dataSource.initialize();
    await producer.connect();
    const counts = await persistence.resealEndpointSecrets(
      dataSource,
      producer,
      new SecretSealer(settings.keys),
      {
        mode,
        batchSize,
        onBatch: (c) =>
          console.log(
            `scanned ${c.scanned}: sealed ${c.sealed}, re-sealed ${c.resealed}, unchanged ${c.unchanged}, ` +
              `failed ${c.failed}; republished ${c.republished}`,
          ),
        onFailure: (endpointId, reason) => console.error(`${endpointId}: ${reason}`),
      },
    );
    failed = counts.failed;
    console.log(
      `done: ${counts.scanned} endpoint(s), ${counts.sealed} sealed, ${counts.resealed} re-sealed with "${settings.keys.activeKid}", ` +
        `${counts.unchanged} unchanged, ${counts.failed} failed; ${counts.republished} changelog record(s) written.`,
    );
  } finally {
    await producer.disconnect().catch(() => undefined);
    if (dataSource.isInitialized) await dataSource.destroy();
  }
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`secrets: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
