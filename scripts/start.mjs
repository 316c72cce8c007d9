// Starts the whole platform locally: Kafka (KRaft, from the Apache jars), Postgres (DATABASE_URL,
// the local server, or an embedded one), migrations, topics, then the four services behind one base
// URL (tools/infra/front-door.cjs, split as the Kubernetes front door splits it).
// Ctrl-C stops the services, then the front door, the broker and any Postgres this script started.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { root, bin, run, pipeWithPrefix } = require('../tools/infra/run.cjs');
const { startKafka } = require('../tools/infra/kafka.cjs');
const { ensurePostgres, databaseUrl } = require('../tools/infra/postgres.cjs');
const { startFrontDoor } = require('../tools/infra/front-door.cjs');
const { Client } = require('pg');

const SERVICES = [
  { name: 'ingest', port: 3001 },
  { name: 'subscription', port: 3002 },
  { name: 'dispatcher', port: 3003 },
  { name: 'retry-scheduler', port: 3004 },
];

const started = [];
const children = [];
let stopping = false;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping services...');
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  for (const resource of started.splice(0).reverse()) {
    try {
      await resource.stop();
    } catch (error) {
      console.error(`stopping: ${error.message}`);
    }
  }
  console.log('Stopped.');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

/** Creates database `name` on the server unless it exists; returns its URL. */
async function ensureDatabase(adminUrl, name) {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  return databaseUrl(adminUrl, name);
}

/**
 * Settings that make a laptop usable: every listener on loopback only, since the API is plaintext and
 * the admin token is printed (the plaintext gRPC API stays there even with HOST=0.0.0.0, unless
 * SUBSCRIPTION_GRPC_HOST says otherwise); endpoints on this machine over plain HTTP; an admin token.
 * Each can be overridden from the environment (HOST=0.0.0.0 to expose HTTP).
 */
function localDefaults(env) {
  const defaults = {
    HOST: '127.0.0.1',
    SUBSCRIPTION_ALLOW_HTTP_URLS: 'true',
    DISPATCHER_ALLOW_HTTP: 'true',
    DISPATCHER_ALLOWED_CIDRS: '127.0.0.0/8,::1',
    SUBSCRIPTION_ADMIN_TOKEN: `dev_${randomBytes(18).toString('base64url')}`,
  };
  for (const [key, value] of Object.entries(defaults)) if (env[key] === undefined) env[key] = value;
  return env;
}

async function main() {
  const env = localDefaults({ ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' });
  if ((await run('nx', ['run-many', '-t', 'build', '--outputStyle=static'], { env })) !== 0) {
    throw new Error('build failed');
  }
  if (!env.KAFKA_BROKERS) {
    const kafka = await startKafka({ port: Number(env.HOOKLINE_KAFKA_PORT || 9092) });
    started.push(kafka);
    env.KAFKA_BROKERS = kafka.brokers;
  }
  if (!env.DATABASE_URL) {
    const postgres = await ensurePostgres({});
    started.push(postgres);
    env.DATABASE_URL = await ensureDatabase(postgres.url, 'hookline');
  }
  for (const [script, args] of [
    ['scripts/migrate.mjs', ['up']],
    ['scripts/topics.mjs', []],
  ]) {
    if ((await run('node', [script, ...args], { env })) !== 0) throw new Error(`${script} failed`);
  }
  const portOf = (service) =>
    env[`${service.name.toUpperCase().replace('-', '_')}_PORT`] || String(service.port);
  for (const service of SERVICES) {
    const child = spawn(
      join(bin, 'node'),
      ['--disable-warning=TimeoutNegativeWarning', join(root, 'apps', service.name, 'dist', 'main.js')],
      {
        cwd: root,
        env: {
          ...env,
          PORT: portOf(service),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    pipeWithPrefix(child, `[${service.name}]`);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`[${service.name}] exited (${signal ?? code}); stopping everything`);
      void shutdown(1);
    });
    children.push(child);
  }
  const serviceUrl = (name) => `http://127.0.0.1:${portOf(SERVICES.find((s) => s.name === name))}`;
  const frontDoor = await startFrontDoor({
    host: env.HOST,
    port: Number(env.HOOKLINE_PORT || 3000),
    targets: { ingest: serviceUrl('ingest'), subscription: serviceUrl('subscription') },
    log: (line) => console.log(line),
  });
  started.push(frontDoor);
  console.log(
    `Hookline is starting at ${frontDoor.url} (POST /v1/events to ingest, the rest of /v1 and /docs to ` +
      `subscription; on ${env.HOST}, each service on its own port too: ` +
      `${SERVICES.map((s) => `${s.name} ${portOf(s)}`).join(', ')}). Ctrl-C stops it.`,
  );
  if (process.env.SUBSCRIPTION_ADMIN_TOKEN === undefined) {
    console.log(`Admin token of this run (Authorization: Bearer …): ${env.SUBSCRIPTION_ADMIN_TOKEN}`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  void shutdown(1);
});
