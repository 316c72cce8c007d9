import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { DeliveryStatus } from '../delivery-status';

/** The state of one event's delivery to one endpoint, updated after every attempt. */
@Entity({ name: 'deliveries' })
@Index('idx_deliveries_endpoint_created', ['endpointId', 'createdAt'])
@Index('idx_deliveries_tenant_status_created', ['tenantId', 'status', 'createdAt'])
@Index('idx_deliveries_event', ['eventId'])
@Index('idx_deliveries_tenant_created', ['tenantId', 'createdAt'])
@Index('idx_deliveries_undelivered_created', ['createdAt'], {
  where: "status IN ('pending', 'awaiting_retry')",
})
@Index('idx_deliveries_waiting_due', ['nextAttemptAt'], { where: "status IN ('pending', 'awaiting_retry')" })
@Check('ck_deliveries_status', `status IN ('pending', 'succeeded', 'awaiting_retry', 'failed', 'skipped')`)
@Check('ck_deliveries_attempt_count', `attempt_count >= 0`)
export class DeliveryEntity {
  /** `delivery_…`, starting with a time of its event's day: the partition key (byte order). */
  @PrimaryColumn({ type: 'text', collation: 'C', primaryKeyConstraintName: 'pk_deliveries' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'endpoint_id', type: 'text' })
  endpointId!: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ type: 'text', default: 'pending' })
  status!: DeliveryStatus;

  @Column({ name: 'attempt_count', type: 'integer', default: 0 })
  attemptCount!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  /** Excerpt of the last response body (at most 16 KiB). */
  @Column({ name: 'last_response_body', type: 'text', nullable: true })
  lastResponseBody!: string | null;

  @Column({ name: 'last_response_time_ms', type: 'integer', nullable: true })
  lastResponseTimeMs!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** The dispatcher making the next attempt now; null when nobody is. */
  @Column({ name: 'claimed_by', type: 'text', nullable: true })
  claimedBy!: string | null;

  /** The message (`topic/partition/offset`) the claim or the last recorded attempt came from. */
  @Column({ name: 'claim_token', type: 'text', nullable: true })
  claimToken!: string | null;

  /** Until when the claim holds; after that another dispatcher may take the attempt over. */
  @Column({ name: 'claimed_until', type: 'timestamptz', nullable: true })
  claimedUntil!: Date | null;
}
