import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Circuit breaker states as the dispatchers report them: one row per endpoint and dispatcher process
 * whose breaker for it changed state, written on each transition (rare) and kept alive by the
 * dispatcher while it runs. Rows of a dispatcher that stopped expire (`expires_at`). A new, small
 * table, so the migration is one transaction.
 */
export class EndpointBreakers1765300000000 implements MigrationInterface {
  name = 'EndpointBreakers1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE endpoint_breakers (
        endpoint_id text NOT NULL,
        owner text NOT NULL,
        state text NOT NULL,
        since timestamptz NOT NULL,
        reason text,
        expires_at timestamptz NOT NULL,
        CONSTRAINT pk_endpoint_breakers PRIMARY KEY (endpoint_id, owner),
        CONSTRAINT ck_endpoint_breakers_state CHECK (state IN ('closed', 'open', 'half_open'))
      )`);
    await queryRunner.query(`CREATE INDEX idx_endpoint_breakers_owner ON endpoint_breakers (owner)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE endpoint_breakers`);
  }
}
