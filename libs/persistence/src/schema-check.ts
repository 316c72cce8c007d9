import { Client } from 'pg';
import { MIGRATIONS_TABLE } from './data-source.factory';
import { allMigrations } from './migrations/all-migrations';

/** How the database's schema compares with the migrations a build carries. */
export type SchemaCheck =
  /** Every migration of the build has run. */
  | { readonly kind: 'current' }
  /**
   * Every migration of the build has run, and some this build does not know: a newer release
   * migrated first, as a rolling deploy does. Migrations only add, so this build still works
   * (the day partitioning is the exception; deploy/README.md says how to roll it out).
   */
  | { readonly kind: 'newer'; readonly unknown: readonly string[] }
  /** Migrations of the build that have not run: its queries would fail or, worse, half succeed. */
  | { readonly kind: 'behind'; readonly missing: readonly string[] }
  /** The database did not answer, so nothing could be compared. */
  | { readonly kind: 'unreachable'; readonly reason: string };

/** Options of `checkSchema`. */
export interface CheckSchemaOptions {
  /** Migration names the build needs; every migration this library carries unless set. */
  readonly expected?: readonly string[];
  /** Time allowed to connect. */
  readonly connectTimeoutMs?: number;
}

/** The names of the migrations this build carries, oldest first, as recorded when they run. */
export function builtMigrations(): string[] {
  return allMigrations.map((Migration) => new Migration().name ?? Migration.name);
}

/** Compares the migrations recorded in the database at `url` with those the build needs. */
export async function checkSchema(url: string, options: CheckSchemaOptions = {}): Promise<SchemaCheck> {
  const expected = options.expected ?? builtMigrations();
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
  });
  // A server going away under the idle client would otherwise crash the process.
  client.on('error', () => undefined);
  let applied: Set<string>;
  try {
    await client.connect();
    applied = await appliedMigrations(client);
  } catch (error) {
    return {
      kind: 'unreachable',
      reason: error instanceof Error ? error.message || error.name : String(error),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
  const missing = expected.filter((name) => !applied.has(name));
  if (missing.length > 0) return { kind: 'behind', missing };
  const unknown = [...applied].filter((name) => !expected.includes(name)).sort();
  return unknown.length > 0 ? { kind: 'newer', unknown } : { kind: 'current' };
}

async function appliedMigrations(client: Client): Promise<Set<string>> {
  try {
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
    return new Set(rows.map((row) => row.name));
  } catch (error) {
    // undefined_table: no migration has ever run on this database.
    if ((error as { code?: string }).code === '42P01') return new Set();
    throw error;
  }
}

/** Thrown by `awaitSchema` when migrations the build needs are still missing at its deadline. */
export class SchemaBehindError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(
      `the database lacks ${missing.length === 1 ? 'the migration' : 'migrations'} ${missing.join(', ')} ` +
        'that this build needs; run `node scripts/migrate.mjs up` (on Kubernetes, the hookline-migrate Job) ' +
        'and start the service again',
    );
    this.name = 'SchemaBehindError';
  }
}

/** Options of `awaitSchema`. */
export interface AwaitSchemaOptions extends CheckSchemaOptions {
  /** How long to wait for missing migrations to be applied before giving up. */
  readonly waitMs: number;
  /** Time between checks while waiting. */
  readonly pollMs?: number;
  /** Receives one line when waiting starts and one for an outcome worth knowing. */
  readonly log: (line: string) => void;
}

/**
 * Resolves once the database holds every migration the build needs, waiting up to `waitMs` (the
 * migration job of the same release may still be running) and then throwing `SchemaBehindError`.
 * A database that does not answer resolves at once as `unreachable`: a service starts without it
 * and reports it through readiness, as it would if the database went away later.
 */
export async function awaitSchema(url: string, options: AwaitSchemaOptions): Promise<SchemaCheck> {
  const deadline = Date.now() + options.waitMs;
  let announced = false;
  for (;;) {
    const check = await checkSchema(url, options);
    if (check.kind === 'unreachable') {
      options.log(`could not check the database schema (${check.reason}); starting without the check`);
      return check;
    }
    if (check.kind === 'newer') {
      options.log(`the database has migrations newer than this build (${check.unknown.join(', ')})`);
      return check;
    }
    if (check.kind === 'current') {
      if (announced) options.log('the database schema is up to date');
      return check;
    }
    if (Date.now() >= deadline) throw new SchemaBehindError(check.missing);
    if (!announced) {
      options.log(
        `waiting up to ${Math.round(options.waitMs / 1000)} s for database migrations ${check.missing.join(', ')}`,
      );
      announced = true;
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(options.pollMs ?? 1_000, deadline - Date.now())),
    );
  }
}
