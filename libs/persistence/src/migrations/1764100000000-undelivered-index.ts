import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets "how old is the oldest delivery not yet delivered" (an alerting metric, read every few
 * seconds) use an index that holds only the deliveries still waiting, instead of scanning them all.
 */
export class UndeliveredIndex1764100000000 implements MigrationInterface {
  name = 'UndeliveredIndex1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX idx_deliveries_undelivered_created ON deliveries (created_at)
       WHERE status IN ('pending', 'awaiting_retry')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_deliveries_undelivered_created`);
  }
}
