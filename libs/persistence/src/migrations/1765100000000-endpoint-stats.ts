import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The per-endpoint statistics rollup: one row per endpoint and minute with attempts, kept by the
 * attempt recorder in the transaction that records the attempts, and read by the statistics API
 * instead of the attempts table.
 *
 * A new, empty table, so nothing here touches a big one and the whole migration is one transaction.
 * Its history starts with this release: attempts recorded before it are not counted (a backfill
 * would have to read the whole attempts table).
 *
 * Each row is updated by every batch of its minute, so pages keep room for the new versions
 * (`fillfactor`): the updates then stay on their page and leave the indexes alone.
 */
export class EndpointStats1765100000000 implements MigrationInterface {
  name = 'EndpointStats1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE endpoint_stats_minute (
        tenant_id text NOT NULL,
        endpoint_id text NOT NULL,
        minute timestamptz NOT NULL,
        attempts integer NOT NULL,
        succeeded integer NOT NULL,
        failed_http_4xx integer NOT NULL,
        failed_http_5xx integer NOT NULL,
        failed_timeout integer NOT NULL,
        failed_connection integer NOT NULL,
        failed_tls integer NOT NULL,
        failed_refused_address integer NOT NULL,
        failed_other integer NOT NULL,
        duration_ms_sum bigint NOT NULL,
        latency_histogram integer[] NOT NULL,
        CONSTRAINT pk_endpoint_stats_minute PRIMARY KEY (tenant_id, endpoint_id, minute),
        CONSTRAINT ck_endpoint_stats_minute_counts CHECK (
          attempts = succeeded + failed_http_4xx + failed_http_5xx + failed_timeout + failed_connection
            + failed_tls + failed_refused_address + failed_other),
        CONSTRAINT ck_endpoint_stats_minute_histogram CHECK (cardinality(latency_histogram) = 24)
      ) WITH (fillfactor = 70)`);
    await queryRunner.query(
      `CREATE INDEX idx_endpoint_stats_minute_minute ON endpoint_stats_minute (minute)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE endpoint_stats_minute`);
  }
}
