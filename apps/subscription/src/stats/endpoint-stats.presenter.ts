import type { EndpointStatsBucketDto, EndpointStatsCountsDto, EndpointStatsDto } from './endpoint-stats.dto';
import type { EndpointStatsView, StatsCounts } from './endpoint-stats.view';

/** An endpoint's statistics as the REST API answers them. */
export function presentEndpointStats(stats: EndpointStatsView): EndpointStatsDto {
  return {
    object: 'endpoint_stats',
    endpoint_id: stats.endpointId,
    window: stats.window,
    start: stats.start.toISOString(),
    end: stats.end.toISOString(),
    bucket_seconds: stats.bucketSeconds,
    totals: presentCounts(stats.totals),
    series: stats.series.map((bucket): EndpointStatsBucketDto => ({
      start: bucket.start.toISOString(),
      ...presentCounts(bucket.counts),
    })),
    breaker: {
      state: stats.breaker.state,
      since: stats.breaker.since?.toISOString() ?? null,
      reason: stats.breaker.reason,
      dispatchers_open: stats.breaker.dispatchersOpen,
      dispatchers: stats.breaker.dispatchers,
    },
  };
}

function presentCounts(counts: StatsCounts): EndpointStatsCountsDto {
  return {
    attempts: counts.attempts,
    succeeded: counts.succeeded,
    failed: counts.failed,
    success_rate: counts.successRate,
    p50_ms: counts.p50Ms,
    p95_ms: counts.p95Ms,
    mean_ms: counts.meanMs,
    failures_by_reason: { ...counts.failuresByReason },
  };
}
