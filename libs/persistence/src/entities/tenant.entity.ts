import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A customer account; every other row belongs to exactly one tenant. */
@Entity({ name: 'tenants' })
@Check('ck_tenants_retention_days', `retention_days >= 1`)
export class TenantEntity {
  /** `ten_…` */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_tenants' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

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
