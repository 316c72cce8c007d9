import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants as the platform's customers: a `uid` the platform chooses (its own customer id), free-form
 * `metadata`, and a disabled state; and `operator_keys`, the operators' API keys, stored hashed as
 * tenants' keys are. Small tables, so the migration is one transaction.
 */
export class TenantAdmin1765400000000 implements MigrationInterface {
  name = 'TenantAdmin1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE tenants
        ADD COLUMN uid text,
        ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN disabled_at timestamptz,
        ADD COLUMN disabled_reason text,
        ADD CONSTRAINT uq_tenants_uid UNIQUE (uid),
        ADD CONSTRAINT ck_tenants_uid CHECK (uid ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' AND uid !~ '^ten_')`);
    await queryRunner.query(`
      CREATE TABLE operator_keys (
        id text NOT NULL,
        name text NOT NULL,
        prefix text NOT NULL,
        hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT pk_operator_keys PRIMARY KEY (id),
        CONSTRAINT uq_operator_keys_hash UNIQUE (hash),
        CONSTRAINT ck_operator_keys_hash CHECK (hash ~ '^[0-9a-f]{64}$')
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE operator_keys`);
    await queryRunner.query(`
      ALTER TABLE tenants DROP CONSTRAINT ck_tenants_uid, DROP CONSTRAINT uq_tenants_uid,
        DROP COLUMN disabled_reason, DROP COLUMN disabled_at, DROP COLUMN metadata, DROP COLUMN uid`);
  }
}
