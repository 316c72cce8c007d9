import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets ingest claim an idempotency key in a committed row instead of an open transaction: a claim is
 * `publishing` under an owner until its lease lapses, and keeps the event ids, acceptance time and
 * request id it will publish, so a request that takes over a dead owner's claim publishes the same
 * records. Rows written before this migration were all finished, hence the default.
 */
export class IdempotencyClaims1765000000000 implements MigrationInterface {
  name = 'IdempotencyClaims1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE idempotency_keys
        ADD COLUMN state text NOT NULL DEFAULT 'done',
        ADD COLUMN owner text,
        ADD COLUMN lease_expires_at timestamptz,
        ADD COLUMN event_ids text[],
        ADD COLUMN accepted_at timestamptz,
        ADD COLUMN request_id text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE idempotency_keys
        DROP COLUMN request_id,
        DROP COLUMN accepted_at,
        DROP COLUMN event_ids,
        DROP COLUMN lease_expires_at,
        DROP COLUMN owner,
        DROP COLUMN state`);
  }
}
