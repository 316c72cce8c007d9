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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
