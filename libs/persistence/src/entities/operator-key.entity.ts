import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, Unique } from 'typeorm';

/** An operator's API key, beside the bootstrap admin token. Only its SHA-256 is stored. */
@Entity({ name: 'operator_keys' })
@Unique('uq_operator_keys_hash', ['hash'])
@Check('ck_operator_keys_hash', `hash ~ '^[0-9a-f]{64}$'`)
export class OperatorKeyEntity {
  /** `opk_…` */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_operator_keys' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** The key's first characters, shown in listings. */
  @Column({ type: 'text' })
  prefix!: string;

  /** Lower-case hex SHA-256 of the full key. */
  @Column({ type: 'text' })
  hash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
