import { randomBytes } from 'node:crypto';
import { createDataSource, runMigrations } from '@hookline/persistence';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/** A database of its own on the test server, migrated as the services expect it. */
export interface MigratedDatabase {
  readonly url: string;
  /** Connected to the database, for tests that change its schema. */
  readonly dataSource: DataSource;
  drop(): Promise<void>;
}

// This library sits below @hookline/testing (which depends on it), hence its own small helper.
export async function createMigratedDatabase(): Promise<MigratedDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set; these tests need a real Postgres');
  const name = `hookline_observability_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dataSource = await createDataSource({ url: url.toString(), poolSize: 2 }).initialize();
  await runMigrations(dataSource);
  return {
    url: url.toString(),
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
