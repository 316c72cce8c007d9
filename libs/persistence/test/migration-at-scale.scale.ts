// The migrations that change big tables, each on tables the size a busy installation has (three
// million delivery attempts) while the delivery path keeps writing, then every migration after it:
//
// - DeliveryIntegrity builds its indexes concurrently, so writes go on during the build; only the
//   swap of the events primary key holds a lock, briefly.
// - DayPartitions builds its keys concurrently and validates its bounds without blocking writes; the
//   collation change of the delivery ids rebuilds two indexes under lock (writes wait, none fails),
//   and the swap to partitioned tables is one short transaction that copies nothing.
//
// The figures are printed for the reader; none of them is asserted.
import { builtMigrations, checkSchema, revertLastMigration, runMigrations } from '../src';
import { describeRun, loadDeliveryHistory, writeUntil } from './support/delivery-history';
import { createEmptyDatabase, type EmptyDatabase } from './support/test-database';

const DELIVERIES = 300_000;
const ATTEMPTS_PER_DELIVERY = 10;

describe.each([
  // Indexes dropped for the bulk load and built again after it.
  ['DeliveryIntegrity1764200000000', ['uq_delivery_attempts_delivery_attempt']],
  ['DayPartitions1765200000000', ['uq_delivery_attempts_send', 'idx_delivery_attempts_delivery_attempt']],
])('the %s migration on three million delivery attempts', (MIGRATION, rebuild) => {
  let db: EmptyDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await runMigrations(db.dataSource);
    // Back to the schema just before it: every later migration, then the migration itself.
    const newer = builtMigrations().slice(builtMigrations().indexOf(MIGRATION) + 1);
    for (let i = 0; i <= newer.length; i += 1) await revertLastMigration(db.dataSource);
    expect(await checkSchema(db.url)).toEqual({
      kind: 'behind',
      missing: [MIGRATION, ...newer],
    });

    await loadDeliveryHistory(db.dataSource, {
      deliveries: DELIVERIES,
      attemptsPerDelivery: ATTEMPTS_PER_DELIVERY,
      rebuild,
    });
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('completes while the delivery path keeps writing, none of its writes failing', async () => {
    const stop = { done: false };
    const writer = writeUntil(db.url, stop);
    // The writer is under way before the migration starts.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const started = Date.now();
    let applied: string[];
    try {
      applied = await runMigrations(db.dataSource);
    } finally {
      stop.done = true;
    }
    const migrationMs = Date.now() - started;
    const report = await writer;

    console.log(describeRun(`${MIGRATION} and later migrations`, migrationMs, report));

    expect(applied).toEqual(builtMigrations().slice(builtMigrations().indexOf(MIGRATION)));
    expect(await checkSchema(db.url)).toEqual({ kind: 'current' });
    expect(report.failures).toEqual([]);
    expect(report.writes).toBeGreaterThan(0);
    // Every index the migration built concurrently is valid, not left half-built.
    const invalid: Array<{ name: string }> = await db.dataSource.query(
      `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE NOT i.indisvalid`,
    );
    expect(invalid).toEqual([]);
    const [{ rows }] = await db.dataSource.query(
      `SELECT count(*)::int AS rows FROM delivery_attempts WHERE tenant_id = 'ten_live'`,
    );
    expect(rows).toBe(report.writes);
  }, 120_000);
});
