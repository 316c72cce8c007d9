import {
  awaitSchema,
  builtMigrations,
  checkSchema,
  MIGRATIONS_TABLE,
  revertLastMigration,
  runMigrations,
  SchemaBehindError,
} from '../src';
import { createEmptyDatabase, type EmptyDatabase } from './support/test-database';

describe('the schema check', () => {
  let db: EmptyDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('names every migration a never-migrated database lacks', async () => {
    expect(await checkSchema(db.url)).toEqual({ kind: 'behind', missing: builtMigrations() });
  });

  it('is current once every migration ran, and behind again when the newest is reverted', async () => {
    await runMigrations(db.dataSource);
    expect(await checkSchema(db.url)).toEqual({ kind: 'current' });

    const newest = await revertLastMigration(db.dataSource);
    expect(newest).toBe(builtMigrations().at(-1));
    expect(await checkSchema(db.url)).toEqual({ kind: 'behind', missing: [newest] });
    await runMigrations(db.dataSource);
  });

  it('accepts a database a newer release has migrated further', async () => {
    await db.dataSource.query(`INSERT INTO ${MIGRATIONS_TABLE} (timestamp, name) VALUES ($1, $2)`, [
      9999999999999,
      'FromTheFuture9999999999999',
    ]);
    try {
      expect(await checkSchema(db.url)).toEqual({ kind: 'newer', unknown: ['FromTheFuture9999999999999'] });
    } finally {
      await db.dataSource.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [
        'FromTheFuture9999999999999',
      ]);
    }
  });

  it('reports a database that does not answer instead of failing', async () => {
    const url = new URL(db.url);
    url.pathname = '/hookline_no_such_database';
    expect(await checkSchema(url.toString())).toEqual({
      kind: 'unreachable',
      reason: expect.stringContaining('hookline_no_such_database'),
    });
  });

  describe('awaitSchema', () => {
    it('waits, saying for what, until the missing migration is applied', async () => {
      const newest = await revertLastMigration(db.dataSource);
      const lines: string[] = [];
      const waiting = awaitSchema(db.url, { waitMs: 30_000, pollMs: 100, log: (line) => lines.push(line) });
      // The release's migration job finishing while the service waits.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await runMigrations(db.dataSource);

      expect(await waiting).toEqual({ kind: 'current' });
      expect(lines).toEqual([
        `waiting up to 30 s for database migrations ${newest}`,
        'the database schema is up to date',
      ]);
    });

    it('refuses once its time is up, naming the missing migration and the fix', async () => {
      const newest = await revertLastMigration(db.dataSource);
      try {
        const refusal = awaitSchema(db.url, { waitMs: 300, pollMs: 100, log: () => undefined });
        await expect(refusal).rejects.toBeInstanceOf(SchemaBehindError);
        await expect(refusal).rejects.toThrow(
          `the database lacks the migration ${newest} that this build needs; run \`node scripts/migrate.mjs up\``,
        );
      } finally {
        await runMigrations(db.dataSource);
      }
    });
  });
});
