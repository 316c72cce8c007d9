import { randomBytes } from 'node:crypto';
import { createDataSource, runMigrations } from '@hookline/persistence';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/** A database of its own for one test file, on the test server. */
export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Initialised DataSource on the new database (migrated unless asked otherwise). */
  dataSource: DataSource;
  /** Closes the DataSource and drops the database. */
  drop(): Promise<void>;
}

/** Options for `createTestDatabase`. */
export interface TestDatabaseOptions {
  /** Run every migration before returning (default true). */
  migrate?: boolean;
  /** Pool size of the returned DataSource (default 10). */
  poolSize?: number;
}

/** The URL of the test server's admin database, from `DATABASE_URL` (set by the Jest global setup). */
export function testDatabaseServerUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set; integration tests need the Jest global setup or a running server',
    );
  }
  return url;
}

/**
 * Creates a uniquely named database, so test files running in parallel never see each other's
 * rows, and (by default) migrates it.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const { migrate = true, poolSize = 10 } = options;
  const serverUrl = testDatabaseServerUrl();
  const name = `hookline_test_${process.pid}_${randomBytes(5).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${quoteIdentifier(name)}`);
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();

  const dataSource = createDataSource({ url, poolSize, applicationName: 'hookline-test' });
  try {
    await dataSource.initialize();
    if (migrate) await runMigrations(dataSource);
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    throw error;
  }

  let dropped = false;
  return {
    url,
    dataSource,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      if (dataSource.isInitialized) await dataSource.destroy();
      // FORCE: a test may leave its own clients connected.
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    },
  };
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

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
