import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';

/** A customer account; every other row belongs to exactly one tenant. */
@Entity({ name: 'tenants' })
@Check('ck_tenants_retention_days', `retention_days >= 1`)
@Check('ck_tenants_uid', `uid ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' AND uid !~ '^ten_'`)
@Unique('uq_tenants_uid', ['uid'])
export class TenantEntity {
  /** `ten_…` */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_tenants' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** The platform's own id for this customer, usable wherever the tenant id is; unique. */
  @Column({ type: 'text', nullable: true })
  uid!: string | null;

  /** The platform's key-value pairs. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: Record<string, string>;

  /** Since when the tenant is disabled (its keys and portal sessions refused); null while enabled. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  /** Why it was disabled. */
  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason!: string | null;

  /** Days its records are kept, when fewer than the platform's retention; null for the default. */
  @Column({ name: 'retention_days', type: 'integer', nullable: true })
  retentionDays!: number | null;

  /** Its records of days before this one were deleted under `retention_days`. */
  @Column({ name: 'retention_pruned_before', type: 'date', nullable: true })
  retentionPrunedBefore!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
