import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A customer account; every other row belongs to exactly one tenant. */
@Entity({ name: 'tenants' })
export class TenantEntity {
  /** `ten_…` */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_tenants' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
