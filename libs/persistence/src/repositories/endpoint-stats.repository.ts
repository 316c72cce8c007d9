import type { DataSource, EntityManager } from 'typeorm';
import type { AttemptRecord } from './attempt-recorder';
import {
  FAILURE_REASONS,
  type FailureReason,
  failureReason,
  LATENCY_BUCKETS,
  latencyBucket,
} from './endpoint-stats';

const MINUTE_MS = 60_000;
const BUCKET_INDEXES = Array.from({ length: LATENCY_BUCKETS }, (_, i) => i);
const FAILED_COLUMNS = FAILURE_REASONS.map((reason) => `failed_${reason}`);

// Columns and expressions are built from the fixed reason and bucket lists, never from input.
const ROLLUP_UPSERT = `
  INSERT INTO endpoint_stats_minute AS s (tenant_id, endpoint_id, minute, attempts, succeeded,
    ${FAILED_COLUMNS.join(', ')}, duration_ms_sum, latency_histogram)
  SELECT a.tenant_id, a.endpoint_id, a.minute, count(*), count(*) FILTER (WHERE a.reason IS NULL),
    ${FAILURE_REASONS.map((reason) => `count(*) FILTER (WHERE a.reason = '${reason}')`).join(', ')},
    sum(a.duration_ms),
    ARRAY[${BUCKET_INDEXES.map((i) => `count(*) FILTER (WHERE a.bucket = ${i})`).join(', ')}]::int[]
  FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::int[], $6::int[])
    AS a(tenant_id, endpoint_id, minute, reason, duration_ms, bucket)
  GROUP BY a.tenant_id, a.endpoint_id, a.minute
  ORDER BY a.tenant_id, a.endpoint_id, a.minute
  ON CONFLICT (tenant_id, endpoint_id, minute) DO UPDATE SET
    attempts = s.attempts + excluded.attempts,
    succeeded = s.succeeded + excluded.succeeded,
    ${FAILED_COLUMNS.map((column) => `${column} = s.${column} + excluded.${column}`).join(',\n    ')},
    duration_ms_sum = s.duration_ms_sum + excluded.duration_ms_sum,
    latency_histogram = ARRAY[${BUCKET_INDEXES.map(
      (i) => `s.latency_histogram[${i + 1}] + excluded.latency_histogram[${i + 1}]`,
    ).join(', ')}]`;

/**
 * Adds attempts to the per-endpoint, per-minute rollup (`endpoint_stats_minute`) in one statement.
 * Call it in the transaction that inserted them, with only the attempts that insert actually wrote,
 * so the rollup is exactly as durable as the attempts and counts each of them once.
 *
 * Rows are locked in key order, so concurrent writers cannot deadlock on them.
 */
export async function addToEndpointStats(
  manager: EntityManager,
  attempts: readonly AttemptRecord[],
): Promise<void> {
  if (attempts.length === 0) return;
  const column = <T>(pick: (a: AttemptRecord) => T): T[] => attempts.map(pick);
  await manager.query(ROLLUP_UPSERT, [
    column((a) => a.tenantId),
    column((a) => a.endpointId),
    // Whole minutes of UTC, whatever the session's time zone.
    column((a) => new Date(Math.floor(a.finishedAt.getTime() / MINUTE_MS) * MINUTE_MS)),
    column((a) => failureReason(a)),
    column((a) => Math.max(0, Math.round(a.durationMs))),
    column((a) => latencyBucket(a.durationMs)),
  ]);
}

/** Sums of one bucket of a statistics series. */
export interface EndpointStatsSums {
  /** Place of the bucket in the series, from 0. */
  readonly bucket: number;
  readonly attempts: number;
  readonly succeeded: number;
  readonly failuresByReason: Readonly<Record<FailureReason, number>>;
  readonly durationMsSum: number;
  /** Attempts per latency bucket (`LATENCY_BUCKET_BOUNDS_MS`, then the overflow). */
  readonly latencyHistogram: readonly number[];
}

/** The range a statistics series covers, cut into equal buckets. */
export interface EndpointStatsRange {
  readonly tenantId: string;
  readonly endpointId: string;
  /** Start of the first bucket; a whole minute. */
  readonly start: Date;
  /** Length of each bucket in seconds; a whole number of minutes. */
  readonly bucketSeconds: number;
  readonly buckets: number;
}

// Sums come back as float8: exact far beyond any count, and numbers rather than strings in pg.
const SERIES_SELECT = `
  SELECT floor((extract(epoch FROM s.minute) - extract(epoch FROM $3::timestamptz)) / $5)::int AS bucket,
    sum(s.attempts)::float8 AS attempts, sum(s.succeeded)::float8 AS succeeded,
    ${FAILED_COLUMNS.map((column) => `sum(s.${column})::float8 AS ${column}`).join(', ')},
    sum(s.duration_ms_sum)::float8 AS duration_ms_sum,
    ARRAY[${BUCKET_INDEXES.map((i) => `sum(s.latency_histogram[${i + 1}])`).join(', ')}]::float8[]
      AS latency_histogram
  FROM endpoint_stats_minute s
  WHERE s.tenant_id = $1 AND s.endpoint_id = $2 AND s.minute >= $3 AND s.minute < $4
  GROUP BY 1
  ORDER BY 1`;

type SeriesRow = Record<`failed_${FailureReason}`, number> & {
  bucket: number;
  attempts: number;
  succeeded: number;
  duration_ms_sum: number;
  latency_histogram: number[];
};

/**
 * The sums of an endpoint's rollup per bucket of `range`, from one range scan of the rollup's
 * primary key (tenant, endpoint, minute); buckets without attempts are absent. Never reads attempts.
 */
export async function readEndpointStats(
  dataSource: DataSource,
  range: EndpointStatsRange,
): Promise<EndpointStatsSums[]> {
  const end = new Date(range.start.getTime() + range.buckets * range.bucketSeconds * 1000);
  const rows: SeriesRow[] = await dataSource.query(SERIES_SELECT, [
    range.tenantId,
    range.endpointId,
    range.start,
    end,
    range.bucketSeconds,
  ]);
  return rows.map((row) => ({
    bucket: row.bucket,
    attempts: row.attempts,
    succeeded: row.succeeded,
    failuresByReason: Object.fromEntries(
      FAILURE_REASONS.map((reason) => [reason, row[`failed_${reason}`]]),
    ) as Record<FailureReason, number>,
    durationMsSum: row.duration_ms_sum,
    latencyHistogram: row.latency_histogram,
  }));
}

/**
 * Deletes at most `batchSize` rollup rows of minutes before `before`; returns how many it deleted.
 * Each call is its own short statement, so pruning a large backlog never holds many locks long.
 */
export async function pruneEndpointStats(
  dataSource: DataSource,
  before: Date,
  batchSize: number,
): Promise<number> {
  // Rows this old are no longer written to; addressing them by ctid keeps each batch one index range.
  const [, deleted]: [unknown, number] = await dataSource.query(
    `DELETE FROM endpoint_stats_minute WHERE ctid = ANY (ARRAY(
       SELECT ctid FROM endpoint_stats_minute WHERE minute < $1 LIMIT $2))`,
    [before, batchSize],
  );
  return deleted;
}
