import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { LATENCY_BUCKETS } from '../repositories/endpoint-stats';

/**
 * The statistics of one endpoint for one minute of UTC: what its attempts came to, kept as the
 * attempts are recorded (in the same transaction), so the statistics API reads a few rows per
 * endpoint instead of the attempts. Only minutes with attempts have a row.
 */
@Entity({ name: 'endpoint_stats_minute' })
// For the retention sweep, which deletes by age across endpoints.
@Index('idx_endpoint_stats_minute_minute', ['minute'])
@Check(
  'ck_endpoint_stats_minute_counts',
  `attempts = succeeded + failed_http_4xx + failed_http_5xx + failed_timeout + failed_connection
     + failed_tls + failed_refused_address + failed_other`,
)
@Check('ck_endpoint_stats_minute_histogram', `cardinality(latency_histogram) = ${LATENCY_BUCKETS}`)
export class EndpointStatsMinuteEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text', primaryKeyConstraintName: 'pk_endpoint_stats_minute' })
  tenantId!: string;

  @PrimaryColumn({ name: 'endpoint_id', type: 'text', primaryKeyConstraintName: 'pk_endpoint_stats_minute' })
  endpointId!: string;

  /** Start of the minute the attempts finished in. */
  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'pk_endpoint_stats_minute' })
  minute!: Date;

  /** HTTP attempts recorded; deferrals are not attempts. */
  @Column({ type: 'integer' })
  attempts!: number;

  /** Attempts the endpoint accepted (2xx). */
  @Column({ type: 'integer' })
  succeeded!: number;

  /** Failed attempts by reason (`FAILURE_REASONS`); together with `succeeded` they make `attempts`. */
  @Column({ name: 'failed_http_4xx', type: 'integer' })
  failedHttp4xx!: number;

  @Column({ name: 'failed_http_5xx', type: 'integer' })
  failedHttp5xx!: number;

  @Column({ name: 'failed_timeout', type: 'integer' })
  failedTimeout!: number;

  @Column({ name: 'failed_connection', type: 'integer' })
  failedConnection!: number;

  @Column({ name: 'failed_tls', type: 'integer' })
  failedTls!: number;

  @Column({ name: 'failed_refused_address', type: 'integer' })
  failedRefusedAddress!: number;

  @Column({ name: 'failed_other', type: 'integer' })
  failedOther!: number;

  // bigint comes back from pg as a string.
  /** Sum of the attempts' durations in milliseconds. */
  @Column({ name: 'duration_ms_sum', type: 'bigint' })
  durationMsSum!: string;

  /** Attempts per latency bucket: one count per bound of `LATENCY_BUCKET_BOUNDS_MS`, then the overflow. */
  @Column({ name: 'latency_histogram', type: 'integer', array: true })
  latencyHistogram!: number[];
}
