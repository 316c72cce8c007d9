import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { labelledDeliveryId } from '../../src';

/** What a writer running alongside a migration saw. */
export interface WriterReport {
  writes: number;
  readonly failures: string[];
  readonly latenciesMs: number[];
}

/** Delivery ids of the shape the dispatcher writes (`delivery_` + a time + 16 characters), in SQL. */
export function datedDeliveryIdSql(sequence: string): string {
  return `'delivery_01KB' || lpad((${sequence})::text, 6, '0') || 'AAAAAAAAAAAAAAAA'`;
}

/**
 * Loads `deliveries` events, deliveries (one in ten still waiting for a retry, as after an
 * endpoint's bad day) and `attemptsPerDelivery` attempts each, in bulk: the indexes named in
 * `rebuild` are dropped for the load and built again afterwards (same definitions), and foreign
 * keys, which every generated row satisfies, are not checked row by row.
 */
export async function loadDeliveryHistory(
  dataSource: DataSource,
  options: { deliveries: number; attemptsPerDelivery: number; rebuild: readonly string[] },
): Promise<number> {
  const started = Date.now();
  const { deliveries, attemptsPerDelivery } = options;
  await dataSource.query(
    `INSERT INTO events (id, tenant_id, type, api_version, created_at, livemode, payload)
     SELECT 'evt_' || g, 'ten_' || (g % 50), 'user.created', '2024-01-01',
            now() - g * interval '1 second', true, jsonb_build_object('id', 'user_' || g)
     FROM generate_series(1, $1::int) AS g`,
    [deliveries],
  );
  await dataSource.query(
    `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, created_at, updated_at)
     SELECT ${datedDeliveryIdSql('g')}, 'ten_' || (g % 50), 'wh_' || (g % 1000), 'evt_' || g,
            CASE WHEN g % 10 = 0 THEN 'awaiting_retry' ELSE 'succeeded' END, $2::int,
            now() - g * interval '1 second', now() - g * interval '1 second'
     FROM generate_series(1, $1::int) AS g`,
    [deliveries, attemptsPerDelivery],
  );
  await dataSource.transaction(async (manager) => {
    await manager.query(`SET LOCAL session_replication_role = replica`);
    const definitions: Array<{ indexdef: string }> = await manager.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = ANY($1)`,
      [options.rebuild],
    );
    for (const name of options.rebuild) await manager.query(`DROP INDEX ${name}`);
    await manager.query(
      `INSERT INTO delivery_attempts (delivery_id, tenant_id, endpoint_id, event_id, attempt_number,
         status_code, response_body_excerpt, duration_ms, started_at, finished_at)
       SELECT ${datedDeliveryIdSql('d')}, 'ten_' || (d % 50), 'wh_' || (d % 1000), 'evt_' || d, a,
              CASE WHEN a = $2::int THEN 200 ELSE 503 END, 'Service Unavailable', 40 + a,
              now() - d * interval '1 second', now() - d * interval '1 second'
       FROM generate_series(1, $1::int) AS d, generate_series(1, $2::int) AS a`,
      [deliveries, attemptsPerDelivery],
    );
    for (const { indexdef } of definitions) await manager.query(indexdef);
  });
  await dataSource.query('ANALYZE events, deliveries, delivery_attempts');
  const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM delivery_attempts');
  console.log(`loaded ${count} delivery attempts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return count;
}

/**
 * What the delivery path does for a first attempt, one transaction after another until `stop` is
 * set: store the event, its delivery (an id of today) and the attempt, with statements both the
 * previous release's schema and this one's accept.
 */
export async function writeUntil(url: string, stop: { done: boolean }): Promise<WriterReport> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const report: WriterReport = { writes: 0, failures: [], latenciesMs: [] };
  try {
    for (let n = 1; !stop.done; n += 1) {
      const started = process.hrtime.bigint();
      try {
        await client.query('BEGIN');
        const id = labelledDeliveryId(`live${n}`);
        await client.query(
          `INSERT INTO events (id, tenant_id, type, api_version, created_at, livemode, payload)
           VALUES ($1, 'ten_live', 'user.created', '2024-01-01', now(), true, '{"id":"user_1"}')`,
          [`evt_live_${n}`],
        );
        await client.query(
          `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, next_attempt_at)
           VALUES ($1, 'ten_live', 'wh_live', $2, 'awaiting_retry', 1, now() + interval '5 seconds')`,
          [id, `evt_live_${n}`],
        );
        await client.query(
          `INSERT INTO delivery_attempts (delivery_id, tenant_id, endpoint_id, event_id, attempt_number,
             status_code, duration_ms, started_at, finished_at)
           VALUES ($1, 'ten_live', 'wh_live', $2, 1, 503, 12, now(), now())`,
          [id, `evt_live_${n}`],
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

/** The `p`th percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

/** One line each: how long, what the writer saw. */
export function describeRun(label: string, migrationMs: number, report: WriterReport): string {
  const sorted = [...report.latenciesMs].sort((a, b) => a - b);
  return [
    `${label}: ${(migrationMs / 1000).toFixed(1)} s`,
    `writes during it: ${report.writes} committed, ${report.failures.length} failed`,
    `write latency: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
      `max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`,
  ].join('\n');
}
