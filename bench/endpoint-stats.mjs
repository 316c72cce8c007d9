#!/usr/bin/env node
// Benchmark of the per-endpoint statistics API (a measurement, not a test): fills the attempts table
// and the statistics rollup the way months of traffic would, then times `GET /v1/webhooks/{id}/stats`
// for each window through the real subscription service.
//   npm run bench:stats [-- --attempts 10000000] [-- --endpoints 200] [-- --calls 200] [-- --no-build]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import {
  createBenchDatabase,
  createTopics,
  NODE,
  ROOT,
  runCommand,
  startBroker,
  startService,
} from './lib/infra.mjs';
import { createCleanups } from './lib/cleanups.mjs';
import { parseCommandLine } from './lib/command-line.mjs';
import { quantile } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
require('../tools/infra/kafkajs-warning.cjs').silenceNegativeTimeoutWarning();
const { Client } = require('pg');

const USAGE = `npm run bench:stats [-- options]
  --attempts N      attempt rows to fill (default 10000000)
  --endpoints N     endpoints the traffic is spread over (default 200)
  --days N          days of rollup to fill, one row per endpoint and minute (default 8)
  --calls N         measured calls per window (default 200)
  --kafka-port P    port of the benchmark's own broker (default 47392; +1 for its controller)
  --port P          port of the subscription service (default 47301)
  --no-build        use the services as last built`;

const values = parseCommandLine(
  process.argv.slice(2),
  {
    attempts: { type: 'string', default: '10000000' },
    endpoints: { type: 'string', default: '200' },
    days: { type: 'string', default: '8' },
    calls: { type: 'string', default: '200' },
    'kafka-port': { type: 'string', default: '47392' },
    port: { type: 'string', default: '47301' },
    'no-build': { type: 'boolean', default: false },
  },
  USAGE,
);
const positive = (name) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const ATTEMPTS = positive('attempts');
const ENDPOINTS = positive('endpoints');
const DAYS = positive('days');
const CALLS = positive('calls');
const KAFKA_PORT = positive('kafka-port');
const PORT = positive('port');
const ADMIN = `bench-stats-admin-${process.pid}-0123456789abcdef`;
const WINDOWS = ['1h', '24h', '7d'];
const HISTOGRAM_BUCKETS = 24;
const LOG_DIR = join(ROOT, '.cache', 'bench', 'stats');

const log = (line) => console.log(`[bench:stats] ${line}`);
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

const { stopLater, cleanUp } = createCleanups('the statistics benchmark');

try {
  await run();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

async function run() {
  if (!values['no-build']) {
    log('building the subscription service and its libraries');
    await runCommand('nx', ['run', 'subscription:build', '--outputStyle=static'], {
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
  }
  mkdirSync(LOG_DIR, { recursive: true });
  const broker = await startBroker(KAFKA_PORT);
  stopLater(() => broker.stop());
  const env = { ...process.env, KAFKA_BROKERS: broker.brokers, LOG_LEVEL: 'warn' };
  const database = await createBenchDatabase('hookline_bench_stats', env, {
    ...(process.env.DATABASE_URL ? { serverUrl: process.env.DATABASE_URL } : {}),
  });
  stopLater(() => database.drop());
  await createTopics({ ...env, DATABASE_URL: database.url });
  const service = await startService('subscription', {
    port: PORT,
    logDir: LOG_DIR,
    env: {
      ...env,
      DATABASE_URL: database.url,
      SUBSCRIPTION_ADMIN_TOKEN: ADMIN,
      SUBSCRIPTION_GRPC_PORT: String(PORT + 1),
    },
  });
  stopLater(() => service.stop());

  const { key, endpointId, tenantId } = await createEndpoint(service.url);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  stopLater(() => db.end());
  await fill(db, { tenantId, endpointId });

  const headers = { authorization: `Bearer ${key}` };
  const results = {};
  for (const window of WINDOWS) {
    const url = `${service.url}/v1/webhooks/${endpointId}/stats?window=${window}`;
    const once = async () => {
      const started = performance.now();
      const response = await fetch(url, { headers });
      const body = await response.json();
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`${window}: ${response.status} ${JSON.stringify(body)}`);
      return { ms, body };
    };
    for (let i = 0; i < 20; i += 1) await once(); // warm-up: compiled code, cached plan and pages
    const samples = [];
    let body;
    for (let i = 0; i < CALLS; i += 1) ({ ms: samples[i], body } = await once());
    samples.sort((x, y) => x - y);
    results[window] = {
      p50: quantile(samples, 0.5),
      p95: quantile(samples, 0.95),
      max: samples.at(-1),
      attempts: body.totals.attempts,
      buckets: body.series.length,
    };
  }

  const plan = await db.query(
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
     SELECT sum(attempts), sum(succeeded), sum(latency_histogram[1]) FROM endpoint_stats_minute
     WHERE tenant_id = $1 AND endpoint_id = $2 AND minute >= now() - interval '7 days' AND minute < now()`,
    [tenantId, endpointId],
  );
  const sizes = await db.query(
    `SELECT relname, n_live_tup::bigint AS rows, pg_size_pretty(pg_total_relation_size(relid)) AS size
     FROM pg_stat_user_tables WHERE relname IN ('delivery_attempts', 'endpoint_stats_minute') ORDER BY relname`,
  );

  console.log('\nTables:');
  for (const row of sizes.rows)
    console.log(`  ${row.relname.padEnd(22)} ${String(row.rows).padStart(12)} rows  ${row.size}`);
  console.log(
    `\nGET /v1/webhooks/{id}/stats, ${CALLS} sequential calls per window after 20 warm-up calls (ms, client-side, HTTP on loopback):`,
  );
  console.log('  window   p50      p95      max      attempts counted  buckets');
  for (const [window, r] of Object.entries(results)) {
    console.log(
      `  ${window.padEnd(8)} ${r.p50.toFixed(2).padStart(7)}  ${r.p95.toFixed(2).padStart(7)}  ${r.max
        .toFixed(2)
        .padStart(7)}  ${String(r.attempts).padStart(16)}  ${r.buckets}`,
    );
  }
  console.log('\nPlan of the 7-day range the API reads:');
  for (const row of plan.rows) console.log(`  ${row['QUERY PLAN']}`);
  console.log(`\nNode.js ${process.version} (${NODE}); PostgreSQL ${database.version}`);
}

async function createEndpoint(baseUrl) {
  const json = async (method, path, body, authorization) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(body),
    });
    const parsed = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };
  const tenant = await json('POST', '/v1/admin/tenants', { name: 'bench' }, `Bearer ${ADMIN}`);
  const minted = await json('POST', `/v1/admin/tenants/${tenant.id}/api-keys`, {}, `Bearer ${ADMIN}`);
  const endpoint = await json(
    'POST',
    '/v1/webhooks',
    { url: 'https://example.com/hooks', events: ['user.created'] },
    `Bearer ${minted.key}`,
  );
  return { key: minted.key, endpointId: endpoint.id, tenantId: tenant.id };
}

/**
 * Attempts and rollup rows of `ENDPOINTS` endpoints over `DAYS` days, the measured endpoint one of
 * them, written minute by minute as live traffic writes them (so one endpoint's rows are spread over
 * the table, not packed together). Both come from generate_series: the API reads only the rollup.
 */
async function fill(db, { tenantId, endpointId }) {
  const endpointOf = (n) => `CASE WHEN ${n} = 0 THEN $1 ELSE 'wh_bench_' || ${n} END`;
  const minutes = DAYS * 24 * 60;
  let started = performance.now();
  const deliveries = Math.ceil(ATTEMPTS / 4);
  log(
    `filling ${deliveries} deliveries and ${ATTEMPTS} attempts over ${DAYS} days and ${ENDPOINTS} endpoints`,
  );
  const chunk = 1_000_000;
  for (let from = 0; from < deliveries; from += chunk) {
    await db.query(
      `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, created_at, updated_at,
         completed_at)
       SELECT 'delivery_bench_' || d, $2, ${endpointOf(`d % ${ENDPOINTS}`)}, 'evt_bench_' || d, 'succeeded', 4,
         t, t, t
       FROM generate_series($3::bigint, $4::bigint) d,
         LATERAL (SELECT now() - (d * $5::float8 / $6) * interval '1 minute') at(t)`,
      [endpointId, tenantId, from, Math.min(from + chunk, deliveries) - 1, minutes, deliveries],
    );
  }
  for (let from = 0; from < ATTEMPTS; from += chunk) {
    await db.query(
      `INSERT INTO delivery_attempts (send_id, delivery_id, tenant_id, endpoint_id, event_id, attempt_number,
         request_headers, status_code, response_body_excerpt, duration_ms, error_class, started_at, finished_at)
       SELECT 'send_bench_' || a, 'delivery_bench_' || (a / 4), $2, ${endpointOf(`(a / 4) % ${ENDPOINTS}`)},
         'evt_bench_' || (a / 4), a % 4 + 1, '{"content-type":"application/json"}',
         CASE WHEN a % 4 = 3 THEN 200 ELSE 503 END, 'ok', 20 + a % 400,
         CASE WHEN a % 4 = 3 THEN NULL ELSE 'http_503' END, t, t
       FROM generate_series($3::bigint, $4::bigint) a,
         LATERAL (SELECT now() - ((a / 4) * $5::float8 / $6) * interval '1 minute') at(t)`,
      [endpointId, tenantId, from, Math.min(from + chunk, ATTEMPTS) - 1, minutes, deliveries],
    );
    log(`  ${Math.min(from + chunk, ATTEMPTS)} attempts (${seconds(started)})`);
  }
  started = performance.now();
  log(`filling the rollup: ${minutes * ENDPOINTS} rows (one per endpoint and minute)`);
  // Each row: a few attempts, one in four failing, all in one latency bucket that varies by minute.
  const histogram = Array.from(
    { length: HISTOGRAM_BUCKETS },
    (_, i) => `CASE WHEN m % 9 + 3 = ${i} THEN n ELSE 0 END`,
  ).join(', ');
  const perChunk = Math.max(1, Math.floor(chunk / ENDPOINTS));
  // Oldest minutes first, each minute's endpoints together, as traffic writes them.
  for (let to = minutes; to > 0; to -= perChunk) {
    await db.query(
      `INSERT INTO endpoint_stats_minute (tenant_id, endpoint_id, minute, attempts, succeeded, failed_http_4xx,
         failed_http_5xx, failed_timeout, failed_connection, failed_tls, failed_refused_address, failed_other,
         duration_ms_sum, latency_histogram)
       SELECT $2, ${endpointOf('e')}, date_trunc('minute', now()) - m * interval '1 minute', n, n - n / 4, 0, n / 4,
         0, 0, 0, 0, 0, n * (20 + m % 400), ARRAY[${histogram}]
       FROM generate_series($3::int, $4::int) m, generate_series(0, ${ENDPOINTS - 1}) e,
         LATERAL (SELECT 3 + (m + e) % 4) counts(n)
       ORDER BY m DESC, e`,
      [endpointId, tenantId, Math.max(0, to - perChunk), to - 1],
    );
  }
  log(`  done (${seconds(started)}); analysing`);
  await db.query('VACUUM ANALYZE delivery_attempts, endpoint_stats_minute');
}
