import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stores the answer an idempotency key first produced, so a repeated request gets the same answer
 * (every event id of a batch, and the original `created`) rather than only one event id.
 */
export class IdempotencyResponse1764000000000 implements MigrationInterface {
  name = 'IdempotencyResponse1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE idempotency_keys ADD COLUMN response jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE idempotency_keys DROP COLUMN response`);
  }
}
