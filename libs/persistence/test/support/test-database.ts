import { createScratchDatabase, type ScratchDatabase } from '../../src';

/** A fresh, empty database on the test server, with an initialised (unmigrated) DataSource. */
export type EmptyDatabase = ScratchDatabase;

// This library cannot use @hookline/testing (which depends on it).
export async function createEmptyDatabase(): Promise<EmptyDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set');
  return createScratchDatabase({ serverUrl, label: 'persistence', migrate: false, poolSize: 20 });
}
