import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An accepted event, kept so it can be listed, inspected and replayed. */
@Entity({ name: 'events' })
@Index('idx_events_tenant_created', ['tenantId', 'createdAt', 'id'])
@Index('idx_events_tenant_type_created', ['tenantId', 'type', 'createdAt'])
export class EventEntity {
  // Keyed by tenant first: producers may choose ids, and tenants must never share an id space.
  @PrimaryColumn({ name: 'tenant_id', type: 'text', primaryKeyConstraintName: 'pk_events' })
  tenantId!: string;

  /** `evt_…` */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_events' })
  id!: string;

  /**
   * The UTC day the event was accepted: the partition holding it, and dropped with it. An id
   * published again on another day is another event.
   */
  @PrimaryColumn({
    type: 'date',
    primaryKeyConstraintName: 'pk_events',
    // TypeORM compares defaults with their casts stripped: the column's is this `::date`.
    default: () => "((now() AT TIME ZONE 'UTC'))",
  })
  day!: string;

  /** `user.created` */
  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'api_version', type: 'text' })
  apiVersion!: string;

  /** When the event happened, as stated in its envelope (not when the row was written). */
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'boolean' })
  livemode!: boolean;

  /** The envelope exactly as delivered to endpoints; null once expunged. */
  @Column({ type: 'jsonb', nullable: true })
  payload!: Record<string, unknown> | null;

  /** When the payload was erased on request; the event's metadata and deliveries stay. */
  @Column({ name: 'expunged_at', type: 'timestamptz', nullable: true })
  expungedAt!: Date | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;
}
