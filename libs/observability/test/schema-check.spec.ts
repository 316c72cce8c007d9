import { Module } from '@nestjs/common';
import {
  builtMigrations,
  revertLastMigration,
  runMigrations,
  SchemaBehindError,
} from '@hookline/persistence';
import { resolvePreset } from '@hookline/presets';
import { createServer } from 'node:net';
import { bootstrapService, type RunningService, type ServiceConfig, ServiceRuntimeModule } from '../src';
import { createMigratedDatabase, type MigratedDatabase } from './support/migrated-database';

/** A port free right now, for a service that must not end up listening on it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function configFor(databaseUrl: string, port: number, schemaWaitMs: number): ServiceConfig {
  return {
    service: 'dispatcher',
    preset: resolvePreset('hookline'),
    http: { host: '127.0.0.1', port },
    kafka: {
      brokers: process.env.KAFKA_BROKERS!.split(','),
      clientId: 'hookline-schema-test',
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 30_000,
    },
    database: { url: databaseUrl, poolSize: 2, schemaWaitMs },
    logLevel: 'error',
    shutdownGraceMs: 5_000,
  };
}

function start(config: ServiceConfig): Promise<RunningService> {
  @Module({ imports: [ServiceRuntimeModule.forRoot(config)] })
  class SchemaTestModule {}
  return bootstrapService(SchemaTestModule, config);
}

describe('a service starting on an older database schema', () => {
  let db: MigratedDatabase;

  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('refuses to start, naming the missing migration, and never listens', async () => {
    const newest = await revertLastMigration(db.dataSource);
    expect(newest).toBe(builtMigrations().at(-1));
    const port = await freePort();
    try {
      const boot = start(configFor(db.url, port, 500));
      await expect(boot).rejects.toBeInstanceOf(SchemaBehindError);
      await expect(boot).rejects.toThrow(`the database lacks the migration ${newest}`);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      await runMigrations(db.dataSource);
    }
  });

  it('starts once the migration job catches up within the wait', async () => {
    await revertLastMigration(db.dataSource);
    const booting = start(configFor(db.url, 0, 30_000));
    // The release's migration job finishing while the service waits.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await runMigrations(db.dataSource);
    const service = await booting;
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    } finally {
      await service.close();
    }
  });
});
