import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  Unique,
} from 'typeorm';
import { TenantEntity } from './tenant.entity';

/** A tenant's API key. Only its SHA-256 is stored: a leaked table does not leak usable keys. */
@Entity({ name: 'api_keys' })
@Unique('uq_api_keys_hash', ['hash'])
@Index('idx_api_keys_tenant', ['tenantId'])
@Check('ck_api_keys_hash', `hash ~ '^[0-9a-f]{64}$'`)
export class ApiKeyEntity {
  /** `key_…` */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_api_keys' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_api_keys_tenant' })
  tenant?: TenantEntity;

  @Column({ type: 'text' })
  name!: string;

  /** The key's first characters, shown in listings so users can tell keys apart. */
  @Column({ type: 'text' })
  prefix!: string;

  /** Lower-case hex SHA-256 of the full key; looked up on every authenticated request. */
  @Column({ type: 'text' })
  hash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
