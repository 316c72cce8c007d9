import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Breaker states as stored and as the API shows them. */
export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type StoredBreakerState = (typeof BREAKER_STATES)[number];

/**
 * The circuit breaker of one endpoint in one dispatcher process, as that process last reported it:
 * written on each transition, kept alive while the process runs, expired once it stopped.
 */
@Entity({ name: 'endpoint_breakers' })
// For the dispatcher's keep-alive and clean-up, which touch its own rows.
@Index('idx_endpoint_breakers_owner', ['owner'])
@Check('ck_endpoint_breakers_state', `state IN ('closed', 'open', 'half_open')`)
export class EndpointBreakerEntity {
  @PrimaryColumn({ name: 'endpoint_id', type: 'text', primaryKeyConstraintName: 'pk_endpoint_breakers' })
  endpointId!: string;

  /** The dispatcher process (its claim owner name). */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_endpoint_breakers' })
  owner!: string;

  @Column({ type: 'text' })
  state!: StoredBreakerState;

  /** When the breaker entered this state. */
  @Column({ type: 'timestamptz' })
  since!: Date;

  /** Why it entered it. */
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** Until when the row counts: the dispatcher pushes it on while it runs. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
