import type { QueryRunner } from 'typeorm';

/**
 * Builds an index without blocking writes (so outside a transaction). A concurrent build that failed
 * leaves an invalid index behind, so whatever holds the name is dropped first: running the
 * migration again then succeeds.
 */
export async function buildIndexConcurrently(
  queryRunner: QueryRunner,
  name: string,
  create: 'CREATE INDEX' | 'CREATE UNIQUE INDEX',
  definition: string,
): Promise<void> {
  await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  await queryRunner.query(`${create} CONCURRENTLY ${name} ON ${definition}`);
}
