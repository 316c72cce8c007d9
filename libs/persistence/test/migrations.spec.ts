import type { DataSource } from 'typeorm';
import {
  MIGRATIONS_TABLE,
  allMigrations,
  deliveryIdFor,
  migrationStatus,
  revertAllMigrations,
  runMigrations,
} from '../src';
import { createEmptyDatabase, type EmptyDatabase } from './support/test-database';

const OUR_TABLES = [
  'api_keys',
  'deliveries',
  'delivery_attempts',
  'endpoint_breakers',
  'endpoint_stats_minute',
  'endpoints',
  'events',
  'idempotency_keys',
  'operator_keys',
  'tenants',
];

async function tablesOf(dataSource: DataSource): Promise<string[]> {
  const rows: Array<{ table_name: string }> = await dataSource.query(
    `SELECT table_name FROM information_schema.tables t
     WHERE table_schema = 'public' AND table_name <> $1
       AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = t.table_name AND c.relispartition)
     ORDER BY table_name COLLATE "C"`,
    [MIGRATIONS_TABLE],
  );
  return rows.map((row) => row.table_name);
}

async function constraintsOf(dataSource: DataSource): Promise<string[]> {
  const rows: Array<{ name: string }> = await dataSource.query(
    `SELECT c.relname || '.' || con.contype::text || '.' || con.conname AS name
     FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relname <> $1 AND con.contype IN ('p', 'f', 'u', 'c')
       AND NOT c.relispartition
     ORDER BY c.relname || '.' || con.contype::text || '.' || con.conname COLLATE "C"`,
    [MIGRATIONS_TABLE],
  );
  return rows.map((row) => row.name);
}

async function uniqueIndexesOf(dataSource: DataSource): Promise<string[]> {
  const rows: Array<{ indexname: string; indexdef: string }> = await dataSource.query(
    `SELECT indexname, indexdef FROM pg_indexes
     WHERE schemaname = 'public' AND indexdef LIKE 'CREATE UNIQUE INDEX%' AND tablename <> $1
       AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = tablename AND c.relispartition)
     ORDER BY indexname COLLATE "C"`,
    [MIGRATIONS_TABLE],
  );
  return rows.map((row) => `${row.indexname}: ${row.indexdef.replace(/^.* USING btree /, '')}`);
}

describe('migrations', () => {
  let db: EmptyDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('run up on an empty database, creating every table with its keys and checks', async () => {
    expect(await tablesOf(db.dataSource)).toEqual([]);

    const applied = await runMigrations(db.dataSource);

    expect(applied).toEqual(allMigrations.map((migration) => migration.name));
    expect(await tablesOf(db.dataSource)).toEqual(OUR_TABLES);
    expect(await constraintsOf(db.dataSource)).toEqual([
      'api_keys.c.ck_api_keys_hash',
      'api_keys.f.fk_api_keys_tenant',
      'api_keys.p.pk_api_keys',
      'api_keys.u.uq_api_keys_hash',
      'deliveries.c.ck_deliveries_attempt_count',
      'deliveries.c.ck_deliveries_status',
      'deliveries.p.pk_deliveries',
      'delivery_attempts.c.ck_delivery_attempts_attempt_number',
      'delivery_attempts.c.ck_delivery_attempts_body_excerpt',
      'delivery_attempts.p.pk_delivery_attempts',
      'endpoint_breakers.c.ck_endpoint_breakers_state',
      'endpoint_breakers.p.pk_endpoint_breakers',
      'endpoint_stats_minute.c.ck_endpoint_stats_minute_counts',
      'endpoint_stats_minute.c.ck_endpoint_stats_minute_histogram',
      'endpoint_stats_minute.p.pk_endpoint_stats_minute',
      'endpoints.f.fk_endpoints_tenant',
      'endpoints.p.pk_endpoints',
      'events.p.pk_events',
      'idempotency_keys.p.pk_idempotency_keys',
      'operator_keys.c.ck_operator_keys_hash',
      'operator_keys.p.pk_operator_keys',
      'operator_keys.u.uq_operator_keys_hash',
      'tenants.c.ck_tenants_retention_days',
      'tenants.c.ck_tenants_uid',
      'tenants.p.pk_tenants',
      'tenants.u.uq_tenants_uid',
    ]);
    expect(await uniqueIndexesOf(db.dataSource)).toEqual([
      'pk_api_keys: (id)',
      'pk_deliveries: (id)',
      'pk_delivery_attempts: (delivery_id, id)',
      'pk_endpoint_breakers: (endpoint_id, owner)',
      'pk_endpoint_stats_minute: (tenant_id, endpoint_id, minute)',
      'pk_endpoints: (id)',
      'pk_events: (tenant_id, id, day)',
      'pk_idempotency_keys: (tenant_id, key)',
      'pk_operator_keys: (id)',
      'pk_tenants: (id)',
      'uq_api_keys_hash: (hash)',
      'uq_delivery_attempts_delivery_send: (delivery_id, send_id)',
      'uq_operator_keys_hash: (hash)',
      'uq_tenants_uid: (uid)',
    ]);
  });

  it('leave nothing for TypeORM to change: the entities describe exactly the migrated schema', async () => {
    const pending = await db.dataSource.driver.createSchemaBuilder().log();

    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('(and that comparison does see drift)', async () => {
    await db.dataSource.query('DROP INDEX idx_events_tenant_type_created');
    try {
      const pending = await db.dataSource.driver.createSchemaBuilder().log();

      expect(pending.upQueries.map((query) => query.query)).toEqual([
        expect.stringContaining('CREATE INDEX "idx_events_tenant_type_created"'),
      ]);
    } finally {
      await db.dataSource.query(
        'CREATE INDEX idx_events_tenant_type_created ON events (tenant_id, type, created_at)',
      );
    }
  });

  it('do nothing when run again, and report every migration as applied', async () => {
    expect(await runMigrations(db.dataSource)).toEqual([]);
    expect(await migrationStatus(db.dataSource)).toEqual(
      allMigrations.map((migration) => ({ name: migration.name, applied: true })),
    );
  });

  it('enforce the delivery status values', async () => {
    const insert = (status: string) =>
      db.dataSource.query(
        `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status) VALUES ($1, 'ten_1', 'wh_1', 'evt_1', $2)`,
        [deliveryIdFor('evt_1', status, Date.now()), status],
      );

    await expect(insert('awaiting_retry')).resolves.toBeDefined();
    await expect(insert('delivered')).rejects.toThrow(/ck_deliveries_status/);
  });

  it('run down leaving no table of ours, then up again', async () => {
    const reverted = await revertAllMigrations(db.dataSource);

    expect(reverted).toEqual(allMigrations.map((migration) => migration.name).reverse());
    expect(await tablesOf(db.dataSource)).toEqual([]);
    expect(await migrationStatus(db.dataSource)).toEqual(
      allMigrations.map((migration) => ({ name: migration.name, applied: false })),
    );

    expect(await runMigrations(db.dataSource)).toHaveLength(allMigrations.length);
    expect(await tablesOf(db.dataSource)).toEqual(OUR_TABLES);
  });
});

describe('migrations run by several processes at once', () => {
  let db: EmptyDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('apply each migration exactly once', async () => {
    const others = await Promise.all([db.connect(), db.connect(), db.connect()]);

    const results = await Promise.all(
      [db.dataSource, ...others].map((dataSource) => runMigrations(dataSource)),
    );

    expect(results.flat()).toEqual(allMigrations.map((migration) => migration.name));
    expect(await tablesOf(db.dataSource)).toEqual(OUR_TABLES);
  });
});
