import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { mintApiKey } from '@hookline/tenancy';
import { createTestDatabase, type TestDatabase } from '@hookline/testing';
import { loadConfig } from '../src/config';
import { bootstrap, type RunningSubscriptionService } from '../src/main';
import { adminClient, callMetadata, callUnary, grpcFailure } from './support/admin-grpc.client';
import { type Json, testEnvironment } from './support/subscription.harness';

async function closedPort(): Promise<number> {
  const probe: Server = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Kafka unreachable and no admin token configured (real Postgres): writes answer UNAVAILABLE and
 * change nothing, reads keep working, and the operator service does not exist.
 */
describe('gRPC admin API when Kafka is unreachable and the operator API is off', () => {
  let db: TestDatabase;
  let service: RunningSubscriptionService;
  let kafkaBrokers: string;
  const tenantId = `ten_grpc_${randomBytes(6).toString('hex')}`;
  const key = mintApiKey();
  const clients: grpc.Client[] = [];

  function call(serviceName: string, method: string, request: object, authorization?: string): Promise<Json> {
    const client = adminClient(serviceName, service.grpcPort);
    clients.push(client);
    return callUnary(client, method, request, callMetadata(authorization));
  }

  beforeAll(async () => {
    kafkaBrokers = `127.0.0.1:${await closedPort()}`;
    db = await createTestDatabase();
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ($1, 'Outage')`, [tenantId]);
    await db.dataSource.query(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, hash) VALUES ($1, $2, 'k', $3, $4)`,
      [`key_${tenantId}`, tenantId, key.prefix, key.hash],
    );
    await db.dataSource.query(
      `INSERT INTO endpoints (id, tenant_id, url, events, secret)
       VALUES ($1, $2, 'https://example.com/a', '{user.created}', 'old-secret-1')`,
      [`wh_${tenantId}`, tenantId],
    );
    service = await bootstrap(
      loadConfig(
        testEnvironment(db.url, {
          KAFKA_BROKERS: kafkaBrokers,
          KAFKA_CONNECTION_TIMEOUT: '500ms',
          SUBSCRIPTION_PUBLISH_TIMEOUT: '1s',
          SUBSCRIPTION_GRPC_PORT: '0',
        }),
      ),
    );
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await service?.close();
    await db?.drop();
  });

  it('answers UNAVAILABLE to a write and changes nothing; reads keep working', async () => {
    const error = await grpcFailure(
      call(
        'EndpointService',
        'CreateEndpoint',
        { url: 'https://example.com/new', events: ['*'] },
        `Bearer ${key.key}`,
      ),
    );
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    const [{ count }] = await db.dataSource.query(
      'SELECT count(*)::int AS count FROM endpoints WHERE tenant_id = $1',
      [tenantId],
    );
    expect(count).toBe(1);

    const listed = await call('EndpointService', 'ListEndpoints', {}, `Bearer ${key.key}`);
    expect(listed.endpoints.map((endpoint: Json) => endpoint.id)).toEqual([`wh_${tenantId}`]);
  });

  it('answers UNIMPLEMENTED on the operator service when no admin token is configured', async () => {
    const error = await grpcFailure(
      call('OperatorService', 'CreateTenant', { name: 'x' }, 'Bearer anything-at-all-long-enough-to-pass'),
    );
    expect([error.code, error.details]).toEqual([
      grpc.status.UNIMPLEMENTED,
      'The operator service is not enabled',
    ]);
  });

  it('fails to boot, leaving nothing listening, when the gRPC port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const httpPort = await closedPort();
    // grpc-js also reports the failed bind on the console itself.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await expect(
        bootstrap(
          loadConfig(
            testEnvironment(db.url, {
              KAFKA_BROKERS: kafkaBrokers,
              KAFKA_CONNECTION_TIMEOUT: '500ms',
              SUBSCRIPTION_REPUBLISH_ON_BOOT: 'false',
              PORT: String(httpPort),
              SUBSCRIPTION_GRPC_PORT: String(port),
            }),
          ),
        ),
      ).rejects.toThrow(`gRPC admin API cannot listen on 127.0.0.1:${port}`);
      await expect(fetch(`http://127.0.0.1:${httpPort}/healthz`)).rejects.toThrow();
    } finally {
      jest.restoreAllMocks();
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
