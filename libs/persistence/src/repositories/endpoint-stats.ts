/**
 * What the per-endpoint statistics count, shared by the rollup that the attempt recorder keeps and
 * the API that reads it: the failure classes, the latency histogram's buckets, and how percentiles
 * are estimated from it.
 */

/** Why a failed attempt failed, in the small fixed set the statistics count. */
export const FAILURE_REASONS = [
  'http_4xx',
  'http_5xx',
  'timeout',
  'connection',
  'tls',
  'refused_address',
  'other',
] as const;

/** One of `FAILURE_REASONS`. */
export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * Upper bounds, in milliseconds and inclusive, of the latency histogram's buckets; one more bucket
 * holds every attempt slower than the last bound. Stored rows hold one count per bucket, so changing
 * these bounds needs a new column, not an edit.
 */
export const LATENCY_BUCKET_BOUNDS_MS = [
  5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000,
  15_000, 20_000, 30_000, 60_000,
] as const;

/** Buckets of the latency histogram: one per bound, and the overflow bucket. */
export const LATENCY_BUCKETS = LATENCY_BUCKET_BOUNDS_MS.length + 1;

// The sender's error classes, grouped; an error class not named here counts as `other`.
const REASON_OF_ERROR_CLASS: Readonly<Record<string, FailureReason>> = {
  timeout: 'timeout',
  'connection-refused': 'connection',
  'connection-reset': 'connection',
  dns: 'connection',
  network: 'connection',
  tls: 'tls',
  'blocked-address': 'refused_address',
};

/**
 * The failure class of a recorded attempt, or `null` for a success (an attempt recorded without an
 * error class). An answer is classed by its status code (3xx and 1xx are `other`); no answer by the
 * sender's error class.
 */
export function failureReason(attempt: {
  readonly statusCode: number | null;
  readonly errorClass: string | null;
}): FailureReason | null {
  if (attempt.errorClass === null) return null;
  const status = attempt.statusCode;
  if (status !== null) {
    if (status >= 400 && status < 500) return 'http_4xx';
    if (status >= 500) return 'http_5xx';
    return 'other';
  }
  return REASON_OF_ERROR_CLASS[attempt.errorClass] ?? 'other';
}

/** The histogram bucket (0-based) of a duration: the first whose bound it does not exceed. */
export function latencyBucket(durationMs: number): number {
  const ms = Math.max(0, Math.round(durationMs));
  const index = LATENCY_BUCKET_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return index === -1 ? LATENCY_BUCKET_BOUNDS_MS.length : index;
}

/**
 * Estimates the `q`-quantile (0 < q ≤ 1) of the durations a histogram counts, in whole milliseconds:
 * the bucket holding it is found exactly, and the value is interpolated linearly inside it, so the
 * error is at most that bucket's width. A quantile in the overflow bucket is reported as the last
 * bound. `null` when the histogram is empty.
 */
export function estimatePercentile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let bucket = 0; bucket < histogram.length; bucket += 1) {
    const count = histogram[bucket] ?? 0;
    if (count > 0 && below + count >= rank) {
      if (bucket >= LATENCY_BUCKET_BOUNDS_MS.length) return LATENCY_BUCKET_BOUNDS_MS.at(-1)!;
      const lower = bucket === 0 ? 0 : LATENCY_BUCKET_BOUNDS_MS[bucket - 1]!;
      const upper = LATENCY_BUCKET_BOUNDS_MS[bucket]!;
      return Math.round(lower + ((upper - lower) * (rank - below)) / count);
    }
    below += count;
  }
  return LATENCY_BUCKET_BOUNDS_MS.at(-1)!;
}
