import { Injectable } from '@nestjs/common';
import {
  EndpointEntity,
  type EndpointStatsSums,
  estimatePercentile,
  FAILURE_REASONS,
  type FailureReason,
  LATENCY_BUCKETS,
  readEndpointBreaker,
  readEndpointStats,
} from '@hookline/persistence';
import { DataSource } from 'typeorm';
import { NotFoundError, ValidationError } from '../errors/domain.errors';
import { SubscriptionMetrics } from '../metrics/subscription.metrics';
import {
  DEFAULT_STATS_WINDOW,
  type EndpointStatsView,
  STATS_WINDOW_NAMES,
  STATS_WINDOWS,
  type StatsCounts,
  type StatsWindow,
} from './endpoint-stats.view';

/** What a statistics request asks for; `window` as received, checked here. */
export interface EndpointStatsInput {
  /** `1h`, `24h` or `7d`; `24h` when absent. */
  readonly window?: unknown;
}

/**
 * An endpoint's delivery statistics — attempts, success rate, latency percentiles, failures by
 * reason, and their series — read from the per-minute rollup the attempt recorder keeps, never from
 * the attempts themselves, so an answer costs one short range scan whatever the attempts table holds.
 */
@Injectable()
export class EndpointStatsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: SubscriptionMetrics,
  ) {}

  /** The statistics of one of the tenant's endpoints over a window ending with the bucket under way. */
  get(
    tenantId: string,
    endpointId: string,
    input: EndpointStatsInput,
    now: Date = new Date(),
  ): Promise<EndpointStatsView> {
    return this.metrics.track('endpoint', 'stats', async () => {
      const window = readWindow(input.window);
      const exists = await this.dataSource
        .getRepository(EndpointEntity)
        .existsBy({ id: endpointId, tenantId });
      if (!exists) throw new NotFoundError('webhook', endpointId);

      const { durationMs, bucketSeconds } = STATS_WINDOWS[window];
      const bucketMs = bucketSeconds * 1000;
      // Buckets are aligned to multiples of their length (UTC), so a chart's points stay put as time passes.
      const end = new Date((Math.floor(now.getTime() / bucketMs) + 1) * bucketMs);
      const start = new Date(end.getTime() - durationMs);
      const buckets = durationMs / bucketMs;
      const rows = await readEndpointStats(this.dataSource, {
        tenantId,
        endpointId,
        start,
        bucketSeconds,
        buckets,
      });
      const byBucket = new Map(rows.map((row) => [row.bucket, row]));
      const breaker = await readEndpointBreaker(this.dataSource, endpointId);
      return {
        endpointId,
        window,
        start,
        end,
        bucketSeconds,
        totals: countsOf(sumOf(rows)),
        series: Array.from({ length: buckets }, (_, bucket) => ({
          start: new Date(start.getTime() + bucket * bucketMs),
          counts: countsOf(byBucket.get(bucket) ?? EMPTY),
        })),
        breaker,
      };
    });
  }
}

function readWindow(value: unknown): StatsWindow {
  if (value === undefined) return DEFAULT_STATS_WINDOW;
  if (typeof value === 'string' && (STATS_WINDOW_NAMES as string[]).includes(value)) {
    return value as StatsWindow;
  }
  throw new ValidationError([
    { field: 'window', message: `must be one of ${STATS_WINDOW_NAMES.join(', ')}` },
  ]);
}

type Sums = Omit<EndpointStatsSums, 'bucket'>;

const noFailures = (): Record<FailureReason, number> =>
  Object.fromEntries(FAILURE_REASONS.map((reason) => [reason, 0])) as Record<FailureReason, number>;

const EMPTY: Sums = {
  attempts: 0,
  succeeded: 0,
  failuresByReason: noFailures(),
  durationMsSum: 0,
  latencyHistogram: new Array<number>(LATENCY_BUCKETS).fill(0),
};

function sumOf(rows: readonly Sums[]): Sums {
  const failuresByReason = noFailures();
  const latencyHistogram = new Array<number>(LATENCY_BUCKETS).fill(0);
  let attempts = 0;
  let succeeded = 0;
  let durationMsSum = 0;
  for (const row of rows) {
    attempts += row.attempts;
    succeeded += row.succeeded;
    durationMsSum += row.durationMsSum;
    for (const reason of FAILURE_REASONS) failuresByReason[reason] += row.failuresByReason[reason];
    row.latencyHistogram.forEach((count, bucket) => (latencyHistogram[bucket] += count));
  }
  return { attempts, succeeded, failuresByReason, durationMsSum, latencyHistogram };
}

function countsOf(sums: Sums): StatsCounts {
  const { attempts, succeeded } = sums;
  return {
    attempts,
    succeeded,
    failed: attempts - succeeded,
    successRate: attempts === 0 ? null : Math.round((succeeded / attempts) * 10_000) / 10_000,
    p50Ms: estimatePercentile(sums.latencyHistogram, 0.5),
    p95Ms: estimatePercentile(sums.latencyHistogram, 0.95),
    meanMs: attempts === 0 ? null : Math.round(sums.durationMsSum / attempts),
    failuresByReason: { ...sums.failuresByReason },
  };
}
