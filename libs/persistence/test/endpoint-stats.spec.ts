import {
  BatchingAttemptRecorder,
  FAILURE_REASONS,
  LATENCY_BUCKETS,
  latencyBucket,
  pruneEndpointStats,
  readEndpointStats,
  runMigrations,
  type AttemptRecord,
  type FailureReason,
  labelledDeliveryId,
} from '../src';
import { createEmptyDatabase, type EmptyDatabase } from './support/test-database';

const MINUTE = new Date('2026-03-01T10:00:00.000Z');

/** What one attempt was, as a test writes it down. */
interface Outcome {
  readonly status: number | null;
  readonly errorClass: string | null;
  readonly durationMs: number;
  readonly reason: FailureReason | null;
}

const ok = (durationMs: number): Outcome => ({ status: 200, errorClass: null, durationMs, reason: null });
const answered = (status: number, durationMs: number, reason: FailureReason): Outcome => ({
  status,
  errorClass: `http_${status}`,
  durationMs,
  reason,
});
const noAnswer = (errorClass: string, durationMs: number, reason: FailureReason): Outcome => ({
  status: null,
  errorClass,
  durationMs,
  reason,
});

let sends = 0;

function attemptOf(
  outcome: Outcome,
  fields: { endpointId?: string; tenantId?: string; finishedAt?: Date; sendId?: string } = {},
): AttemptRecord {
  sends += 1;
  const finishedAt = fields.finishedAt ?? new Date(MINUTE.getTime() + (sends % 60) * 1000);
  return {
    sendId: fields.sendId ?? `send_${sends}`,
    claimToken: null,
    deliveryId: labelledDeliveryId(`${sends}`),
    tenantId: fields.tenantId ?? 'ten_1',
    endpointId: fields.endpointId ?? 'wh_1',
    eventId: `evt_${sends}`,
    attemptNumber: 1,
    requestHeaders: { 'content-type': 'application/json' },
    customHeaderNames: [],
    statusCode: outcome.status,
    responseHeaders: outcome.status === null ? null : {},
    responseBody: outcome.status === null ? null : 'ok',
    durationMs: outcome.durationMs,
    errorClass: outcome.errorClass,
    errorMessage: outcome.errorClass,
    startedAt: new Date(finishedAt.getTime() - outcome.durationMs),
    finishedAt,
    deliveryStatus: outcome.reason === null ? 'succeeded' : 'awaiting_retry',
    nextAttemptAt: outcome.reason === null ? null : new Date(finishedAt.getTime() + 60_000),
  };
}

interface StatsRow {
  tenant_id: string;
  endpoint_id: string;
  minute: Date;
  attempts: number;
  succeeded: number;
  duration_ms_sum: string;
  latency_histogram: number[];
  [failed: `failed_${string}`]: number;
}

/** The rollup row the test expects for these outcomes. */
function expectedRow(outcomes: readonly Outcome[]) {
  const histogram = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const outcome of outcomes) histogram[latencyBucket(outcome.durationMs)] += 1;
  return {
    attempts: outcomes.length,
    succeeded: outcomes.filter((o) => o.reason === null).length,
    ...Object.fromEntries(
      FAILURE_REASONS.map((reason) => [
        `failed_${reason}`,
        outcomes.filter((o) => o.reason === reason).length,
      ]),
    ),
    duration_ms_sum: String(outcomes.reduce((sum, o) => sum + o.durationMs, 0)),
    latency_histogram: histogram,
  };
}

describe('endpoint statistics rollup (real Postgres)', () => {
  let db: EmptyDatabase;
  const recorders: BatchingAttemptRecorder[] = [];
  const newRecorder = (maxBatchRows = 1_000): BatchingAttemptRecorder => {
    const recorder = new BatchingAttemptRecorder(db.dataSource, { maxBatchRows, flushIntervalMs: 60_000 });
    recorders.push(recorder);
    return recorder;
  };
  const statsRows = (): Promise<StatsRow[]> =>
    db.dataSource.query('SELECT * FROM endpoint_stats_minute ORDER BY tenant_id, endpoint_id, minute');

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await runMigrations(db.dataSource);
  });
  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE deliveries, delivery_attempts, endpoint_stats_minute');
  });
  afterEach(async () => {
    await Promise.all(recorders.splice(0).map((recorder) => recorder.close()));
  });
  afterAll(async () => {
    await db?.drop();
  });

  // Every reason, durations across the histogram, two of them beyond its last bound.
  const OUTCOMES: readonly Outcome[] = [
    ...Array.from({ length: 40 }, (_, i) => ok(3 + i * 7)),
    ok(1_200),
    answered(404, 35, 'http_4xx'),
    answered(410, 20, 'http_4xx'),
    answered(500, 140, 'http_5xx'),
    answered(503, 2_500, 'http_5xx'),
    answered(502, 61_000, 'http_5xx'),
    answered(302, 9, 'other'),
    noAnswer('timeout', 30_004, 'timeout'),
    noAnswer('timeout', 90_000, 'timeout'),
    noAnswer('connection-refused', 1, 'connection'),
    noAnswer('connection-reset', 4, 'connection'),
    noAnswer('dns', 12, 'connection'),
    noAnswer('tls', 48, 'tls'),
    noAnswer('blocked-address', 0, 'refused_address'),
    noAnswer('invalid-url', 0, 'other'),
  ];

  it('holds exactly what the recorded attempts came to, in the batch that recorded them', async () => {
    const recorder = newRecorder();
    const attempts = OUTCOMES.map((outcome) => attemptOf(outcome));
    await Promise.all(attempts.map((attempt) => recorder.record(attempt)));

    const rows = await statsRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({
      tenant_id: 'ten_1',
      endpoint_id: 'wh_1',
      minute: MINUTE,
      ...expectedRow(OUTCOMES),
    });
    // One transaction wrote the attempts and the rollup.
    const [{ n }]: Array<{ n: number }> = await db.dataSource.query(
      `SELECT count(DISTINCT xmin::text)::int AS n FROM (
         SELECT xmin FROM delivery_attempts UNION ALL SELECT xmin FROM endpoint_stats_minute) rows`,
    );
    expect(n).toBe(1);
  });

  it('adds later batches to the same minute, and never counts a send recorded again', async () => {
    const attempts = OUTCOMES.map((outcome) => attemptOf(outcome));
    const first = newRecorder(7);
    await Promise.all(attempts.map((attempt) => first.record(attempt)));

    // A retried batch, another dispatcher's repeat, and a duplicate inside one batch change nothing.
    const second = newRecorder(5);
    await Promise.all([...attempts, ...attempts.slice(0, 3)].map((attempt) => second.record(attempt)));

    const rows = await statsRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject(expectedRow(OUTCOMES));
    expect(await db.dataSource.query('SELECT count(*)::int AS n FROM delivery_attempts')).toEqual([
      { n: OUTCOMES.length },
    ]);
  });

  it('keeps a row per tenant, endpoint and minute (UTC), and counts no deferral', async () => {
    const recorder = newRecorder();
    const next = new Date(MINUTE.getTime() + 60_000);
    await Promise.all([
      recorder.record(attemptOf(ok(10), { finishedAt: new Date(MINUTE.getTime() + 59_999) })),
      recorder.record(attemptOf(ok(20), { finishedAt: next })),
      recorder.record(attemptOf(ok(30), { endpointId: 'wh_2', finishedAt: next })),
      recorder.record(attemptOf(ok(40), { tenantId: 'ten_2', endpointId: 'wh_2', finishedAt: next })),
    ]);
    await db.dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, claim_token)
       VALUES ($1, 'ten_1', 'wh_1', 'evt_deferred', 'pending', 't/0/9')`,
      [labelledDeliveryId('deferred')],
    );
    await recorder.defer({
      deliveryId: labelledDeliveryId('deferred'),
      tenantId: 'ten_1',
      claimToken: 't/0/9',
      reason: 'deferred: circuit breaker open',
      nextAttemptAt: next,
    });

    const rows = await statsRows();
    expect(
      rows.map((r) => [r.tenant_id, r.endpoint_id, r.minute.toISOString(), r.attempts, r.duration_ms_sum]),
    ).toEqual([
      ['ten_1', 'wh_1', MINUTE.toISOString(), 1, '10'],
      ['ten_1', 'wh_1', next.toISOString(), 1, '20'],
      ['ten_1', 'wh_2', next.toISOString(), 1, '30'],
      ['ten_2', 'wh_2', next.toISOString(), 1, '40'],
    ]);
  });

  it('loses no count when several recorders write the same minute at once', async () => {
    const perRecorder = 300;
    const writers = Array.from({ length: 4 }, () => newRecorder(25));
    const all: Outcome[] = [];
    await Promise.all(
      writers.flatMap((writer, w) =>
        Array.from({ length: perRecorder }, (_, i) => {
          const outcome = i % 10 === 0 ? answered(500, 100 + w, 'http_5xx') : ok(10 + (i % 50));
          all.push(outcome);
          // Two endpoints, so batches of different writers lock rows of both.
          return writer.record(
            attemptOf(outcome, { endpointId: i % 2 === 0 ? 'wh_a' : 'wh_b', finishedAt: MINUTE }),
          );
        }),
      ),
    );

    const rows = await statsRows();
    expect(rows.map((row) => row.endpoint_id)).toEqual(['wh_a', 'wh_b']);
    expect(rows.reduce((sum, row) => sum + row.attempts, 0)).toBe(4 * perRecorder);
    expect(rows.reduce((sum, row) => sum + row.failed_http_5xx, 0)).toBe(
      all.filter((outcome) => outcome.reason === 'http_5xx').length,
    );
  });

  it('reads the sums per bucket of a range, only for the tenant and endpoint asked', async () => {
    const recorder = newRecorder();
    const at = (minutes: number) => new Date(MINUTE.getTime() + minutes * 60_000 + 5_000);
    await Promise.all([
      recorder.record(attemptOf(ok(10), { finishedAt: at(0) })),
      recorder.record(attemptOf(answered(500, 20, 'http_5xx'), { finishedAt: at(14) })),
      recorder.record(attemptOf(ok(30), { finishedAt: at(15) })),
      recorder.record(attemptOf(ok(40), { finishedAt: at(45) })),
      // Outside the range, another endpoint, another tenant.
      recorder.record(attemptOf(ok(50), { finishedAt: at(-1) })),
      recorder.record(attemptOf(ok(60), { finishedAt: at(60) })),
      recorder.record(attemptOf(ok(70), { endpointId: 'wh_2', finishedAt: at(1) })),
      recorder.record(attemptOf(ok(80), { tenantId: 'ten_2', finishedAt: at(1) })),
    ]);

    const sums = await readEndpointStats(db.dataSource, {
      tenantId: 'ten_1',
      endpointId: 'wh_1',
      start: MINUTE,
      bucketSeconds: 15 * 60,
      buckets: 4,
    });

    expect(
      sums.map((s) => [s.bucket, s.attempts, s.succeeded, s.durationMsSum, s.failuresByReason.http_5xx]),
    ).toEqual([
      [0, 2, 1, 30, 1],
      [1, 1, 1, 30, 0],
      [3, 1, 1, 40, 0],
    ]);
    expect(sums[0]!.latencyHistogram).toHaveLength(LATENCY_BUCKETS);
    expect(sums[0]!.latencyHistogram[latencyBucket(10)]).toBe(1);
    expect(sums[0]!.latencyHistogram[latencyBucket(20)]).toBe(1);
  });

  it('prunes the minutes before a cutoff, a batch at a time, and nothing after it', async () => {
    await db.dataSource.query(
      `INSERT INTO endpoint_stats_minute (tenant_id, endpoint_id, minute, attempts, succeeded, failed_http_4xx,
         failed_http_5xx, failed_timeout, failed_connection, failed_tls, failed_refused_address, failed_other,
         duration_ms_sum, latency_histogram)
       SELECT 'ten_1', 'wh_' || e, $1::timestamptz + m * interval '1 minute', 1, 1, 0, 0, 0, 0, 0, 0, 0, 5,
         array_fill(0, ARRAY[${LATENCY_BUCKETS}])
       FROM generate_series(0, 9) m, generate_series(1, 3) e`,
      [MINUTE],
    );
    const cutoff = new Date(MINUTE.getTime() + 7 * 60_000);

    expect(await pruneEndpointStats(db.dataSource, cutoff, 10)).toBe(10);
    expect(await pruneEndpointStats(db.dataSource, cutoff, 10)).toBe(10);
    expect(await pruneEndpointStats(db.dataSource, cutoff, 10)).toBe(1);
    expect(await pruneEndpointStats(db.dataSource, cutoff, 10)).toBe(0);

    const left: Array<{ minute: Date }> = await db.dataSource.query(
      'SELECT DISTINCT minute FROM endpoint_stats_minute ORDER BY minute',
    );
    expect(left.map((row) => row.minute)).toEqual(
      [7, 8, 9].map((m) => new Date(MINUTE.getTime() + m * 60_000)),
    );
  });
});
