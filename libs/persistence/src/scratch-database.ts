import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source.factory';
import { runMigrations } from './migration-runner';

/** A uniquely named database on a server, with the DataSources opened on it. */
export interface ScratchDatabase {
  readonly url: string;
  /** Initialised on the database (migrated when asked). */
  readonly dataSource: DataSource;
  /** Another DataSource on the same database, closed by `drop` (for tests of concurrent writers). */
  connect(): Promise<DataSource>;
  /** Closes every DataSource opened here and drops the database; a second call does nothing. */
  drop(): Promise<void>;
}

/** Options for {@link createScratchDatabase}. */
export interface ScratchDatabaseOptions {
  /** The server's admin URL (a database on it the caller may `CREATE DATABASE` from). */
  readonly serverUrl: string;
  /** Part of the database's name, saying who made it (letters, digits and `_`). */
  readonly label: string;
  /** Run every migration before returning (default true). */
  readonly migrate?: boolean;
  /** Pool size of each DataSource (default 10). */
  readonly poolSize?: number;
}

/**
 * Creates a database of its own for one test file, a benchmark or a fault-injection run, so that
 * callers sharing a server never see each other's rows; it is dropped with FORCE, since a caller
 * may leave clients of its own connected.
 */
export async function createScratchDatabase(options: ScratchDatabaseOptions): Promise<ScratchDatabase> {
  const { serverUrl, label, migrate = true, poolSize = 10 } = options;
  if (!/^[a-z0-9_]+$/.test(label)) throw new Error(`database label "${label}" must be [a-z0-9_]+`);
  const name = `hookline_${label}_${process.pid}_${randomBytes(5).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();

  const opened: DataSource[] = [];
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    for (const dataSource of opened) if (dataSource.isInitialized) await dataSource.destroy();
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  const connect = async () => {
    const dataSource = createDataSource({ url, poolSize, applicationName: 'hookline-test' });
    opened.push(dataSource);
    await dataSource.initialize();
    return dataSource;
  };
  try {
    const dataSource = await connect();
    if (migrate) await runMigrations(dataSource);
    return { url, dataSource, connect, drop };
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
