import { createScratchDatabase } from '@hookline/persistence';
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
  return createScratchDatabase({ serverUrl: testDatabaseServerUrl(), label: 'test', migrate, poolSize });
}
