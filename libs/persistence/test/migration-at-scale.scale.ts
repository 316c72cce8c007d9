// The delivery-integrity migration on tables the size a busy installation has: three million
// delivery attempts, while the delivery path keeps writing. Its indexes are built concurrently, so
// writes must go on during the build; only the swap of the events primary key holds a lock, briefly.
// The figures are printed for the reader; none of them is asserted.
import { Client } from 'pg';
import { builtMigrations, checkSchema, revertLastMigration, runMigrations } from '../src';
import { createEmptyDatabase, type EmptyDatabase } from './support/test-database';

const MIGRATION = 'DeliveryIntegrity1764200000000';
const DELIVERIES = 300_000;
const ATTEMPTS_PER_DELIVERY = 10;

interface WriterReport {
  writes: number;
  readonly failures: string[];
  readonly latenciesMs: number[];
}

/**
 * What the dispatcher does for a first attempt, one transaction after another until `stop` is set:
 * store the event, its delivery and the attempt.
 */
async function write(url: string, stop: { done: boolean }): Promise<WriterReport> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const report: WriterReport = { writes: 0, failures: [], latenciesMs: [] };
  try {
    for (let n = 1; !stop.done; n += 1) {
      const started = process.hrtime.bigint();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO events (id, tenant_id, type, api_version, created_at, livemode, payload)
           VALUES ($1, 'ten_live', 'user.created', '2024-01-01', now(), true, '{"id":"user_1"}')`,
          [`evt_live_${n}`],
        );
        await client.query(
          `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, next_attempt_at)
           VALUES ($1, 'ten_live', 'wh_live', $2, 'awaiting_retry', 1, now() + interval '5 seconds')`,
          [`dlv_live_${n}`, `evt_live_${n}`],
        );
        await client.query(
          `INSERT INTO delivery_attempts (delivery_id, tenant_id, endpoint_id, event_id, attempt_number,
             status_code, duration_ms, started_at, finished_at)
           VALUES ($1, 'ten_live', 'wh_live', $2, 1, 503, 12, now(), now())`,
          [`dlv_live_${n}`, `evt_live_${n}`],
        );
        await client.query('COMMIT');
        report.writes += 1;
      } catch (error) {
        report.failures.push((error as Error).message);
        await client.query('ROLLBACK').catch(() => undefined);
      }
      report.latenciesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  } finally {
    await client.end();
  }
  return report;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

describe(`the ${MIGRATION} migration on three million delivery attempts`, () => {
  let db: EmptyDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await runMigrations(db.dataSource);
    // Back to the schema just before it: every later migration, then the migration itself.
    const newer = builtMigrations().slice(builtMigrations().indexOf(MIGRATION) + 1);
    for (let i = 0; i <= newer.length; i += 1) await revertLastMigration(db.dataSource);
    expect(await checkSchema(db.url)).toEqual({
      kind: 'behind',
      missing: [MIGRATION, ...newer],
    });

    const started = Date.now();
    await db.dataSource.query(
      `INSERT INTO events (id, tenant_id, type, api_version, created_at, livemode, payload)
       SELECT 'evt_' || g, 'ten_' || (g % 50), 'user.created', '2024-01-01',
              now() - g * interval '1 second', true, jsonb_build_object('id', 'user_' || g)
       FROM generate_series(1, $1::int) AS g`,
      [DELIVERIES],
    );
    // One delivery in ten still waiting for a retry, as after an endpoint's bad day.
    await db.dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, created_at, updated_at)
       SELECT 'dlv_' || g, 'ten_' || (g % 50), 'wh_' || (g % 1000), 'evt_' || g,
              CASE WHEN g % 10 = 0 THEN 'awaiting_retry' ELSE 'succeeded' END, $2::int,
              now() - g * interval '1 second', now() - g * interval '1 second'
       FROM generate_series(1, $1::int) AS g`,
      [DELIVERIES, ATTEMPTS_PER_DELIVERY],
    );
    // Loaded in bulk: the unique index is built once afterwards (same name and definition), and
    // the foreign key, which every generated row satisfies, is not checked row by row.
    await db.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL session_replication_role = replica`);
      await manager.query(`DROP INDEX uq_delivery_attempts_delivery_attempt`);
      await manager.query(
        `INSERT INTO delivery_attempts (delivery_id, tenant_id, endpoint_id, event_id, attempt_number,
           status_code, response_body_excerpt, duration_ms, started_at, finished_at)
         SELECT 'dlv_' || d, 'ten_' || (d % 50), 'wh_' || (d % 1000), 'evt_' || d, a,
                CASE WHEN a = $2::int THEN 200 ELSE 503 END, 'Service Unavailable', 40 + a,
                now() - d * interval '1 second', now() - d * interval '1 second'
         FROM generate_series(1, $1::int) AS d, generate_series(1, $2::int) AS a`,
        [DELIVERIES, ATTEMPTS_PER_DELIVERY],
      );
      await manager.query(
        `CREATE UNIQUE INDEX uq_delivery_attempts_delivery_attempt ON delivery_attempts (delivery_id, attempt_number)`,
      );
    });
    await db.dataSource.query('ANALYZE events, deliveries, delivery_attempts');
    const [{ count }] = await db.dataSource.query('SELECT count(*)::int AS count FROM delivery_attempts');
    console.log(`loaded ${count} delivery attempts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('completes while the delivery path keeps writing, none of its writes failing', async () => {
    const stop = { done: false };
    const writer = write(db.url, stop);
    // The writer is under way before the migration starts.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const started = Date.now();
    let applied: string[];
    try {
      applied = await runMigrations(db.dataSource);
    } finally {
      stop.done = true;
    }
    const migrationMs = Date.now() - started;
    const report = await writer;

    const sorted = [...report.latenciesMs].sort((a, b) => a - b);
    console.log(
      [
        `${MIGRATION} and later migrations: ${(migrationMs / 1000).toFixed(1)} s`,
        `writes during it: ${report.writes} committed, ${report.failures.length} failed`,
        `write latency: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
          `max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`,
      ].join('\n'),
    );

    expect(applied).toEqual(builtMigrations().slice(builtMigrations().indexOf(MIGRATION)));
    expect(await checkSchema(db.url)).toEqual({ kind: 'current' });
    expect(report.failures).toEqual([]);
    expect(report.writes).toBeGreaterThan(0);
    // Every index the migration built concurrently is valid, not left half-built.
    const invalid: Array<{ name: string }> = await db.dataSource.query(
      `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE NOT i.indisvalid`,
    );
    expect(invalid).toEqual([]);
    const [{ rows }] = await db.dataSource.query(
      `SELECT count(*)::int AS rows FROM delivery_attempts WHERE tenant_id = 'ten_live'`,
    );
    expect(rows).toBe(report.writes);
  }, 120_000);
});
