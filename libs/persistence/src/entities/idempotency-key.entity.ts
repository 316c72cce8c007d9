import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** Remembers which event an `Idempotency-Key` produced, so a retried request returns the same event. */
@Entity({ name: 'idempotency_keys' })
@Index('idx_idempotency_keys_expires', ['expiresAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text', primaryKeyConstraintName: 'pk_idempotency_keys' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_idempotency_keys' })
  key!: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId!: string;

  /** Hash of the request that first used the key; a different request with the same key is a client error. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  /**
   * The answer the key's request first received (event ids, `created`), replayed to every repeat;
   * null for keys claimed without one.
   */
  @Column({ type: 'jsonb', nullable: true })
  response!: Record<string, unknown> | null;

  /**
   * `publishing` while a request publishes the key's events under `owner`, until `leaseExpiresAt`;
   * `done` once they are on Kafka (and for keys written before claims had states).
   */
  @Column({ type: 'text', default: 'done' })
  state!: 'publishing' | 'done';

  /** Claim holder while `publishing`; a different request may take the claim over once the lease lapses. */
  @Column({ type: 'text', nullable: true })
  owner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  /** Ids the key's events are published under, in request order; a takeover publishes exactly these. */
  @Column({ name: 'event_ids', type: 'text', array: true, nullable: true })
  eventIds!: string[] | null;

  /** When the key's request was accepted; `created` of its events is rendered from it. */
  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  /** `request.id` stamped on the key's events that carry none of their own. */
  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
