import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Longest response body excerpt kept per attempt, in bytes of UTF-8. */
export const RESPONSE_BODY_EXCERPT_MAX_BYTES = 16 * 1024;

/**
 * One HTTP request to an endpoint and what came back. Written once, never updated. An attempt
 * number sent twice (after a crash) is two rows: the log shows every request actually sent.
 */
@Entity({ name: 'delivery_attempts' })
// Unique so that recording the same send twice (a retried batch write) changes nothing.
@Index('uq_delivery_attempts_delivery_send', ['deliveryId', 'sendId'], { unique: true })
@Index('idx_delivery_attempts_delivery_attempt', ['deliveryId', 'attemptNumber'])
@Check('ck_delivery_attempts_attempt_number', `attempt_number >= 1`)
@Check('ck_delivery_attempts_body_excerpt', `octet_length(response_body_excerpt) <= 16384`)
export class DeliveryAttemptEntity {
  // Partitioned by delivery id (with its delivery's day), so the key starts with it.
  @PrimaryColumn({
    name: 'delivery_id',
    type: 'text',
    collation: 'C',
    primaryKeyConstraintName: 'pk_delivery_attempts',
  })
  deliveryId!: string;

  // bigint comes back from pg as a string: it may exceed Number.MAX_SAFE_INTEGER. A sequence
  // rather than an identity: partitioned tables have no identity columns before PostgreSQL 17.
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_delivery_attempts' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'endpoint_id', type: 'text' })
  endpointId!: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId!: string;

  /** Identifies one request sent, across retried writes of its record; null for older attempts. */
  @Column({ name: 'send_id', type: 'text', nullable: true })
  sendId!: string | null;

  /** 1 for the first attempt. */
  @Column({ name: 'attempt_number', type: 'integer' })
  attemptNumber!: number;

  /** Headers as sent, with credentials redacted. */
  @Column({ name: 'request_headers', type: 'jsonb', default: () => "'{}'" })
  requestHeaders!: Record<string, string>;

  /** Absent when no response arrived (timeout, connection refused, …). */
  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode!: number | null;

  @Column({ name: 'response_headers', type: 'jsonb', nullable: true })
  responseHeaders!: Record<string, string> | null;

  @Column({ name: 'response_body_excerpt', type: 'text', nullable: true })
  responseBodyExcerpt!: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  /** Machine-readable failure kind (`timeout`, `connection_refused`, `http_5xx`, …). */
  @Column({ name: 'error_class', type: 'text', nullable: true })
  errorClass!: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt!: Date;
}
