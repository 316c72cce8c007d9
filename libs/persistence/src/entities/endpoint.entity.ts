import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { TenantEntity } from './tenant.entity';

/** A URL a tenant registered to receive events. */
@Entity({ name: 'endpoints' })
@Index('idx_endpoints_tenant_id', ['tenantId', 'id'])
export class EndpointEntity {
  /** `wh_…` */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_endpoints' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_endpoints_tenant' })
  tenant?: TenantEntity;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** Event type patterns (`user.created`, `user.*`, `*`); empty means every event. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  events!: string[];

  /**
   * Signing secret, sealed (`hl1:…`, see `endpoint-secrets.ts`); never logged and never copied into
   * delivery records. Rows written before sealing hold plaintext until the seal command runs.
   */
  @Column({ type: 'text' })
  secret!: string;

  /** The secret before the last rotation (sealed), still signed with until `previousSecretExpiresAt`. */
  @Column({ name: 'previous_secret', type: 'text', nullable: true })
  previousSecret!: string | null;

  @Column({ name: 'previous_secret_expires_at', type: 'timestamptz', nullable: true })
  previousSecretExpiresAt!: Date | null;

  /** Extra HTTP headers sent with every delivery: names in clear, values sealed. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  headers!: Record<string, string>;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: Record<string, string>;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason!: string | null;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Bumped on every change, so consumers of the subscription changelog can drop stale updates. */
  @Column({ type: 'integer', default: 1 })
  version!: number;
}
