import { createScratchDatabase, type ScratchDatabase } from '@hookline/persistence';

/** A database of its own on the test server, migrated as the services expect it. */
export type MigratedDatabase = ScratchDatabase;

// This library sits below @hookline/testing (which depends on it).
export async function createMigratedDatabase(): Promise<MigratedDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set; these tests need a real Postgres');
  return createScratchDatabase({ serverUrl, label: 'observability', poolSize: 2 });
}
