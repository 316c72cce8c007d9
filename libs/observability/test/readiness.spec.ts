import { createServer, connect, type Server, type Socket } from 'node:net';
import { Module } from '@nestjs/common';
import { Pool } from 'pg';
import {
  bootstrapService,
  kafkaReadinessProbe,
  postgresReadinessProbe,
  type RunningService,
  type ServiceConfig,
  ServiceRuntimeModule,
} from '../src';
import { resolvePreset } from '@hookline/presets';
import { createMigratedDatabase, type MigratedDatabase } from './support/migrated-database';

const brokers = process.env.KAFKA_BROKERS!.split(',');
const serverUrl = process.env.DATABASE_URL!;
// A service starts only on a database holding its migrations (the server's own database is not one).
let migrated: MigratedDatabase;
let databaseUrl: string;
beforeAll(async () => {
  migrated = await createMigratedDatabase();
  databaseUrl = migrated.url;
});
afterAll(async () => {
  await migrated?.drop();
});

const kafkaClient = (list: string[]) => ({
  brokers: list,
  clientId: 'hookline-observability-test',
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
});

/** A port nothing listens on: bound once by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function configFor(overrides: { brokers?: string[]; databaseUrl?: string }): ServiceConfig {
  return {
    service: 'ingest',
    preset: resolvePreset('hookline'),
    http: { host: '127.0.0.1', port: 0 },
    kafka: kafkaClient(overrides.brokers ?? brokers),
    database: { url: overrides.databaseUrl ?? databaseUrl, poolSize: 2 },
    logLevel: 'error',
    shutdownGraceMs: 5_000,
  };
}

async function start(config: ServiceConfig): Promise<RunningService> {
  @Module({ imports: [ServiceRuntimeModule.forRoot(config)] })
  class TestServiceModule {}
  return bootstrapService(TestServiceModule, config);
}

describe('readiness against real Kafka and Postgres', () => {
  const running: RunningService[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((service) => service.close()));
  });

  it('is ready when both Kafka and Postgres answer', async () => {
    const service = await start(configFor({}));
    running.push(service);
    const res = await fetch(`${service.url}/readyz`);
    expect(await res.json()).toEqual({
      status: 'ready',
      dependencies: [
        { dependency: 'kafka', status: 'up' },
        { dependency: 'postgres', status: 'up' },
      ],
    });
    expect(res.status).toBe(200);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^hookline_ready\{dependency="kafka",service="ingest"\} 1$/m);
    expect(metrics).toMatch(/^hookline_ready\{dependency="postgres",service="ingest"\} 1$/m);
  });

  it('answers 503 naming kafka when the brokers point to a closed port', async () => {
    const port = await closedPort();
    const service = await start(configFor({ brokers: [`127.0.0.1:${port}`] }));
    running.push(service);
    const res = await fetch(`${service.url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as {
      dependencies: Array<{ dependency: string; status: string; reason?: string }>;
    };
    expect(body.dependencies).toEqual([
      { dependency: 'kafka', status: 'down', reason: expect.stringContaining('ECONNREFUSED') },
      { dependency: 'postgres', status: 'up' },
    ]);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^hookline_ready\{dependency="kafka",service="ingest"\} 0$/m);
  });

  it('answers 503 naming postgres, without its password, when Postgres refuses', async () => {
    const port = await closedPort();
    const service = await start(
      configFor({ databaseUrl: `postgres://svc:hunter2@127.0.0.1:${port}/hookline` }),
    );
    running.push(service);
    const res = await fetch(`${service.url}/readyz`);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text).dependencies).toEqual([
      { dependency: 'kafka', status: 'up' },
      { dependency: 'postgres', status: 'down', reason: expect.stringContaining('ECONNREFUSED') },
    ]);
  });
});

describe('kafkaReadinessProbe', () => {
  it('reconnects once the cluster becomes reachable after failures', async () => {
    // A TCP relay on a fixed port stands in for a bootstrap broker that is down, then comes back.
    const port = await closedPort();
    const probe = kafkaReadinessProbe({ client: kafkaClient([`127.0.0.1:${port}`]) });
    let relay: Server | undefined;
    const sockets = new Set<Socket>();
    try {
      await expect(probe.check()).rejects.toThrow(/ECONNREFUSED/);
      await expect(probe.check()).rejects.toThrow(/ECONNREFUSED/);

      const [host, target] = brokers[0].split(':');
      relay = createServer((client) => {
        const upstream = connect(Number(target), host);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => [client, upstream].forEach((socket) => socket.destroy());
        client.on('error', drop);
        upstream.on('error', drop);
      });
      await new Promise<void>((resolve) => relay!.listen(port, '127.0.0.1', resolve));

      await expect(probe.check()).resolves.toBeUndefined();
      // The admin stays connected between checks.
      await expect(probe.check()).resolves.toBeUndefined();
    } finally {
      await probe.close?.();
      sockets.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => (relay ? relay.close(() => resolve()) : resolve()));
    }
  });

  it('refuses to check after it was closed', async () => {
    const probe = kafkaReadinessProbe({ client: kafkaClient(brokers) });
    await probe.check();
    await probe.close?.();
    await expect(probe.check()).rejects.toThrow('probe is closed');
  });
});

describe('postgresReadinessProbe', () => {
  it('checks through a pool the app owns and leaves it open', async () => {
    const pool = new Pool({ connectionString: serverUrl, max: 1 });
    try {
      const probe = postgresReadinessProbe({ queryable: pool });
      await expect(probe.check()).resolves.toBeUndefined();
      expect(probe.close).toBeUndefined();
      await expect(pool.query('select 2 as two')).resolves.toMatchObject({ rows: [{ two: 2 }] });
    } finally {
      await pool.end();
    }
  });

  it('reports a missing database by name', async () => {
    const url = new URL(serverUrl);
    url.pathname = '/hookline_no_such_database';
    const probe = postgresReadinessProbe({ connectionString: url.toString() });
    try {
      await expect(probe.check()).rejects.toThrow('database "hookline_no_such_database" does not exist');
    } finally {
      await probe.close?.();
    }
  });
});
