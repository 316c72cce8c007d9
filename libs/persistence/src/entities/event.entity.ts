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

  /** The envelope exactly as delivered to endpoints. */
  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;
}
