import { createTestDatabase, type TestDatabase } from '@hookline/testing';
import { eventually, type RetrySchedulerHarness, startRetryScheduler } from './retry-scheduler.harness';

const DAY_MS = 86_400_000;

describe('retention of the endpoint statistics (real Postgres)', () => {
  let db: TestDatabase;
  let scheduler: RetrySchedulerHarness | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await scheduler?.close();
    await db?.drop();
  });

  /** Rollup rows of three endpoints, one per minute, for `count` minutes ending `endAgoMs` ago. */
  const insertMinutes = (endAgoMs: number, count: number) =>
    db.dataSource.query(
      `INSERT INTO endpoint_stats_minute (tenant_id, endpoint_id, minute, attempts, succeeded, failed_http_4xx,
         failed_http_5xx, failed_timeout, failed_connection, failed_tls, failed_refused_address, failed_other,
         duration_ms_sum, latency_histogram)
       SELECT 'ten_1', 'wh_' || e, date_trunc('minute', now() - $1 * interval '1 millisecond') - m * interval '1 minute',
         1, 1, 0, 0, 0, 0, 0, 0, 0, 7, array_fill(0, ARRAY[24])
       FROM generate_series(0, $2 - 1) m, generate_series(1, 3) e`,
      [endAgoMs, count],
    );
  const minutesLeft = async (): Promise<{ old: number; kept: number }> => {
    const [row]: Array<{ old: number; kept: number }> = await db.dataSource.query(
      `SELECT count(*) FILTER (WHERE minute < now() - interval '8 days')::int AS old,
         count(*) FILTER (WHERE minute >= now() - interval '8 days')::int AS kept
       FROM endpoint_stats_minute`,
    );
    return row!;
  };

  it('deletes the rows older than the retention, in batches, and keeps the rest', async () => {
    // 9 days ago (more than one batch of them), and the last 2 hours.
    await insertMinutes(9 * DAY_MS, 2_000);
    await insertMinutes(0, 120);
    expect(await minutesLeft()).toEqual({ old: 6_000, kept: 360 });

    scheduler = await startRetryScheduler({
      DATABASE_URL: db.url,
      RETRY_STATS_RETENTION: '8d',
      RETRY_STATS_SWEEP_INTERVAL: '1h',
    });

    // The first sweep runs at start.
    await eventually('the old statistics to be deleted', async () => (await minutesLeft()).old === 0);
    expect(await minutesLeft()).toEqual({ old: 0, kept: 360 });
  });
});
