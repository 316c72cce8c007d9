import type { EndpointBreakerSummary, FailureReason } from '@hookline/persistence';

/** The windows the statistics API answers for, with the length of each bucket of its series. */
export const STATS_WINDOWS = {
  '1h': { durationMs: 3_600_000, bucketSeconds: 60 },
  '24h': { durationMs: 86_400_000, bucketSeconds: 15 * 60 },
  '7d': { durationMs: 7 * 86_400_000, bucketSeconds: 2 * 3_600 },
} as const;

/** One of the windows: `1h`, `24h` or `7d`. */
export type StatsWindow = keyof typeof STATS_WINDOWS;

/** Every window, shortest first. */
export const STATS_WINDOW_NAMES = Object.keys(STATS_WINDOWS) as StatsWindow[];

/** The window used when none is asked for. */
export const DEFAULT_STATS_WINDOW: StatsWindow = '24h';

/** What an endpoint's attempts came to over some time. */
export interface StatsCounts {
  readonly attempts: number;
  readonly succeeded: number;
  readonly failed: number;
  /** `succeeded / attempts`; null without attempts. */
  readonly successRate: number | null;
  /** Estimated from the latency histogram; null without attempts. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  /** Exact mean duration; null without attempts. */
  readonly meanMs: number | null;
  readonly failuresByReason: Readonly<Record<FailureReason, number>>;
}

/** One bucket of the series. */
export interface StatsBucket {
  readonly start: Date;
  readonly counts: StatsCounts;
}

/** An endpoint's statistics over one window. */
export interface EndpointStatsView {
  readonly endpointId: string;
  readonly window: StatsWindow;
  /** Start of the first bucket (inclusive). */
  readonly start: Date;
  /** End of the last bucket (exclusive); the last bucket is the one under way. */
  readonly end: Date;
  readonly bucketSeconds: number;
  readonly totals: StatsCounts;
  /** Every bucket of the window, oldest first, empty ones included. */
  readonly series: readonly StatsBucket[];
  /** The endpoint's circuit breaker now, as the running dispatchers report it. */
  readonly breaker: EndpointBreakerSummary;
}
