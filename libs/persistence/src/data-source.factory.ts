import { DataSource } from 'typeorm';
import { allEntities } from './entities/all-entities';
import { allMigrations } from './migrations/all-migrations';
import type { PersistenceConfig } from './persistence-config';

/** Table in which TypeORM records the migrations that have run. */
export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * Builds a DataSource over every entity and migration; call `initialize()` on it before use.
 * The schema only ever changes through migrations, never through TypeORM's `synchronize`.
 */
export function createDataSource(config: PersistenceConfig): DataSource {
  return new DataSource({
    type: 'postgres',
    url: config.url,
    poolSize: config.poolSize ?? 10,
    applicationName: config.applicationName ?? 'hookline',
    connectTimeoutMS: config.connectTimeoutMs ?? 10_000,
    logging: config.logging ? ['migration', 'schema'] : false,
    entities: [...allEntities],
    migrations: [...allMigrations],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    dropSchema: false,
    installExtensions: false,
  });
}
