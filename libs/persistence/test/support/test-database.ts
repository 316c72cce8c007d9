import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src';

/** A fresh, empty database on the test server, with an initialised (unmigrated) DataSource. */
export interface EmptyDatabase {
  url: string;
  dataSource: DataSource;
  /** Another DataSource on the same database, for tests of concurrent writers. */
  connect(): Promise<DataSource>;
  drop(): Promise<void>;
}

// This library cannot use @hookline/testing (which depends on it), hence its own small helper.
export async function createEmptyDatabase(): Promise<EmptyDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set');
  const name = `hookline_persistence_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE "${name}"`);
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const opened: DataSource[] = [];
  const connect = async () => {
    const dataSource = await createDataSource({
      url,
      poolSize: 20,
      applicationName: 'hookline-test',
    }).initialize();
    opened.push(dataSource);
    return dataSource;
  };
  const dataSource = await connect();
  return {
    url,
    dataSource,
    connect,
    drop: async () => {
      for (const ds of opened) if (ds.isInitialized) await ds.destroy();
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
