import { ApiProperty } from '@nestjs/swagger';
import { BREAKER_STATES, LATENCY_BUCKET_BOUNDS_MS } from '@hookline/persistence';
import { STATS_WINDOW_NAMES } from './endpoint-stats.view';

const COUNT = { type: 'integer', format: 'int64', minimum: 0 } as const;

const PERCENTILE_RESOLUTION =
  'Estimated from a latency histogram with buckets bounded at ' +
  `${LATENCY_BUCKET_BOUNDS_MS.join(', ')} ms: the bucket holding the percentile is exact and the value is ` +
  'interpolated inside it, so it is off by at most that bucket\u2019s width; above the last bound it is ' +
  `reported as ${LATENCY_BUCKET_BOUNDS_MS.at(-1)}. Durations are those of every attempt (a timeout counts ` +
  'as the time it was allowed). `null` without attempts.';

/** Failed attempts by reason; every reason is present. */
export class FailuresByReasonDto {
  @ApiProperty({ ...COUNT, example: 1, description: 'The endpoint answered 4xx.' })
  http_4xx!: number;

  @ApiProperty({ ...COUNT, example: 4, description: 'The endpoint answered 5xx.' })
  http_5xx!: number;

  @ApiProperty({ ...COUNT, example: 2, description: 'No answer within the time allowed.' })
  timeout!: number;

  @ApiProperty({
    ...COUNT,
    example: 0,
    description: 'No connection: refused, reset, a host name that did not resolve, another network error.',
  })
  connection!: number;

  @ApiProperty({ ...COUNT, example: 0, description: 'The TLS handshake or the certificate failed.' })
  tls!: number;

  @ApiProperty({
    ...COUNT,
    example: 0,
    description: 'Not sent: the URL resolved to an address deliveries may not go to (private, loopback, …).',
  })
  refused_address!: number;

  @ApiProperty({
    ...COUNT,
    example: 0,
    description: 'Anything else, e.g. a redirect (3xx), which is never followed.',
  })
  other!: number;
}

/** What an endpoint's attempts came to over some time. */
export class EndpointStatsCountsDto {
  @ApiProperty({
    ...COUNT,
    example: 120,
    description: 'HTTP attempts made; deferred deliveries are not attempts.',
  })
  attempts!: number;

  @ApiProperty({ ...COUNT, example: 113, description: 'Attempts the endpoint accepted (2xx).' })
  succeeded!: number;

  @ApiProperty({ ...COUNT, example: 7, description: '`attempts - succeeded`.' })
  failed!: number;

  @ApiProperty({
    type: 'number',
    format: 'double',
    minimum: 0,
    maximum: 1,
    nullable: true,
    example: 0.9417,
    description: '`succeeded / attempts`, rounded to four decimals; `null` without attempts.',
  })
  success_rate!: number | null;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    nullable: true,
    example: 87,
    description: `Median attempt duration in milliseconds. ${PERCENTILE_RESOLUTION}`,
  })
  p50_ms!: number | null;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    nullable: true,
    example: 412,
    description: `95th percentile of the attempt duration in milliseconds. ${PERCENTILE_RESOLUTION}`,
  })
  p95_ms!: number | null;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    nullable: true,
    example: 131,
    description: 'Mean attempt duration in milliseconds (exact); `null` without attempts.',
  })
  mean_ms!: number | null;

  @ApiProperty({ type: FailuresByReasonDto })
  failures_by_reason!: FailuresByReasonDto;
}

/** One bucket of the series. */
export class EndpointStatsBucketDto extends EndpointStatsCountsDto {
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    example: '2024-01-15T10:15:00.000Z',
    description: 'Start of the bucket; it lasts `bucket_seconds`.',
  })
  start!: string;
}

/**
 * An endpoint's circuit breaker. Each dispatcher process keeps its own; each reports its transitions,
 * and the report of a process that stopped expires.
 */
export class EndpointBreakerDto {
  @ApiProperty({
    enum: BREAKER_STATES,
    description:
      '`open` (deliveries wait on the retry path without calling the endpoint) when any dispatcher\u2019s ' +
      'is open, else `half_open` (one attempt let through to probe) when any is, else `closed`.',
  })
  state!: (typeof BREAKER_STATES)[number];

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description:
      'When the first dispatcher in that state entered it; `null` when none reported a transition.',
  })
  since!: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Why that dispatcher\u2019s breaker entered it.',
  })
  reason!: string | null;

  @ApiProperty({
    ...COUNT,
    format: 'int32',
    description: 'Dispatchers whose breaker for the endpoint is open.',
  })
  dispatchers_open!: number;

  @ApiProperty({
    ...COUNT,
    format: 'int32',
    description: 'Running dispatchers whose breaker for the endpoint has changed state at least once.',
  })
  dispatchers!: number;
}

/** An endpoint's delivery statistics over one window. */
export class EndpointStatsDto {
  @ApiProperty({ enum: ['endpoint_stats'] })
  object!: 'endpoint_stats';

  @ApiProperty({ example: 'wh_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  endpoint_id!: string;

  @ApiProperty({ enum: STATS_WINDOW_NAMES, example: '24h' })
  window!: string;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    example: '2024-01-14T10:30:00.000Z',
    description: 'Start of the first bucket (inclusive).',
  })
  start!: string;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    example: '2024-01-15T10:30:00.000Z',
    description: 'End of the last bucket (exclusive): the last bucket is the one under way.',
  })
  end!: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 900,
    description: 'Length of each bucket: 60 for `1h`, 900 (15 minutes) for `24h`, 7200 (2 hours) for `7d`.',
  })
  bucket_seconds!: number;

  @ApiProperty({ type: EndpointStatsCountsDto, description: 'The whole window.' })
  totals!: EndpointStatsCountsDto;

  @ApiProperty({
    type: [EndpointStatsBucketDto],
    description:
      'Every bucket of the window, oldest first, empty ones included (60, 96 or 84 of them), aligned to ' +
      'multiples of `bucket_seconds` since the Unix epoch.',
  })
  series!: EndpointStatsBucketDto[];

  @ApiProperty({ type: EndpointBreakerDto, description: "The endpoint's circuit breaker now." })
  breaker!: EndpointBreakerDto;
}
