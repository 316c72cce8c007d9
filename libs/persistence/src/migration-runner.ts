import { type DataSource, MigrationExecutor, type QueryRunner } from 'typeorm';

// Any constant works; it only has to be the same in every process migrating the same database.
const MIGRATION_LOCK_KEY = 4_658_300_211;

/** A migration and whether it has run on the database. */
export interface MigrationState {
  name: string;
  applied: boolean;
}

/**
 * Runs every pending migration, each in its own transaction, and returns the names of those that
 * ran. Safe to call from several processes at once: an advisory lock makes them take turns.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  return withMigrationLock(dataSource, async (runner) => {
    const ran = await executor(dataSource, runner).executePendingMigrations();
    return ran.map((migration) => migration.name);
  });
}

/** Reverts the most recent migration; returns its name, or undefined when none had run. */
export async function revertLastMigration(dataSource: DataSource): Promise<string | undefined> {
  return withMigrationLock(dataSource, async (runner) => {
    const migrations = executor(dataSource, runner);
    const executed = await migrations.getExecutedMigrations();
    if (executed.length === 0) return undefined;
    const last = executed.reduce((latest, m) => (m.timestamp > latest.timestamp ? m : latest));
    // TypeORM reverts in a transaction whatever the migration says; one that builds indexes
    // concurrently must not be.
    const instance = dataSource.migrations.find((m) => (m.name ?? m.constructor.name) === last.name);
    if (instance?.transaction === false) migrations.transaction = 'none';
    await migrations.undoLastMigration();
    return last.name;
  });
}

/** Reverts every migration that has run, newest first; returns their names in that order. */
export async function revertAllMigrations(dataSource: DataSource): Promise<string[]> {
  const reverted: string[] = [];
  for (;;) {
    const name = await revertLastMigration(dataSource);
    if (name === undefined) return reverted;
    reverted.push(name);
  }
}

/** Every known migration, oldest first, with whether it has run. */
export async function migrationStatus(dataSource: DataSource): Promise<MigrationState[]> {
  const executed = await new MigrationExecutor(dataSource).getExecutedMigrations();
  const applied = new Set(executed.map((m) => m.name));
  return dataSource.migrations
    .map((migration) => migration.name ?? migration.constructor.name)
    .sort((a, b) => timestampOf(a) - timestampOf(b))
    .map((name) => ({ name, applied: applied.has(name) }));
}

function timestampOf(name: string): number {
  return Number(/\d{13}$/.exec(name)?.[0] ?? 0);
}

function executor(dataSource: DataSource, runner: QueryRunner): MigrationExecutor {
  const migrations = new MigrationExecutor(dataSource, runner);
  migrations.transaction = 'each';
  return migrations;
}

async function withMigrationLock<T>(
  dataSource: DataSource,
  fn: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  // Advisory locks belong to a session, so the migrations run on the connection holding the lock
  // (which also lets a pool of one connection migrate).
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // Polled rather than waited for: a session blocked in pg_advisory_lock holds a snapshot, and an
    // index built concurrently by the lock holder waits for every such snapshot to end: a deadlock.
    for (let waitMs = 50; ; waitMs = Math.min(waitMs * 2, 1000)) {
      const [row]: Array<{ locked: boolean }> = await runner.query(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [MIGRATION_LOCK_KEY],
      );
      if (row?.locked) break;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    try {
      return await fn(runner);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
