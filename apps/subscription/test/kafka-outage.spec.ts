import { createServer, type Server } from 'node:net';
import type { RunningService } from '@hookline/observability';
import { labelledDeliveryId } from '@hookline/persistence';
import { mintApiKey } from '@hookline/tenancy';
import { createTestDatabase, type TestDatabase } from '@hookline/testing';
import { ChangelogRepublisher } from '../src/changelog/changelog.republisher';
import { loadConfig } from '../src/config';
import { bootstrap } from '../src/main';
import { seedDelivery, seedEvent } from './support/seed';
import { apiClient, testEnvironment, type ApiCall } from './support/subscription.harness';

const BEFORE = labelledDeliveryId('before');

/**
 * Kafka unreachable (a port where nothing listens): reads keep working, every write answers 503 and
 * leaves the database as it was, because the changelog record is written before the commit.
 */
describe('when Kafka is unreachable (real Postgres)', () => {
  let db: TestDatabase;
  let service: RunningService;
  let call: ApiCall;
  let admin: ApiCall;
  let closedPort: number;

  beforeAll(async () => {
    // Reserve a port and release it: connections to it are refused at once.
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    db = await createTestDatabase();
    // Written directly, as a restored backup would be: the tenant, its key and an endpoint that
    // existed before the outage.
    const key = mintApiKey();
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('ten_outage', 'Outage')`);
    await db.dataSource.query(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, hash) VALUES ('key_outage', 'ten_outage', 'k', $1, $2)`,
      [key.prefix, key.hash],
    );
    await db.dataSource.query(
      `INSERT INTO endpoints (id, tenant_id, url, events, secret)
       VALUES ('wh_before', 'ten_outage', 'https://example.com/a', '{user.created}', 'old-secret-1')`,
    );
    const { id: eventId } = await seedEvent(db.dataSource, { tenantId: 'ten_outage' });
    await seedDelivery(db.dataSource, {
      id: BEFORE,
      tenantId: 'ten_outage',
      endpointId: 'wh_before',
      eventId,
      status: 'failed',
      attemptCount: 2,
    });

    const adminToken = 'outage-admin-token-0123456789abcdef';
    service = await bootstrap(
      loadConfig(
        testEnvironment(db.url, {
          KAFKA_BROKERS: `127.0.0.1:${closedPort}`,
          KAFKA_CONNECTION_TIMEOUT: '500ms',
          SUBSCRIPTION_PUBLISH_TIMEOUT: '1s',
          SUBSCRIPTION_ADMIN_TOKEN: adminToken,
        }),
      ),
    );
    admin = apiClient(service.url, `Bearer ${adminToken}`);
    call = apiClient(service.url, `Bearer ${key.key}`);
  });
  afterAll(async () => {
    await service?.close();
    await db?.drop();
  }, 30_000);

  it('starts anyway and reports the failed republish at boot', async () => {
    const outcome = await service.app.get(ChangelogRepublisher).finished;
    expect(outcome).toMatchObject({ kind: 'failed' });
  });

  it('answers 503 to endpoint changes and keeps the database as it was', async () => {
    const before = await db.dataSource.query('SELECT * FROM endpoints ORDER BY id');
    const attempts: Array<[string, string, unknown]> = [
      ['POST', '/v1/webhooks', { url: 'https://example.com/new', events: ['user.created'] }],
      ['PATCH', '/v1/webhooks/wh_before', { events: ['*'] }],
      ['POST', '/v1/webhooks/wh_before/rotate-secret', undefined],
      ['DELETE', '/v1/webhooks/wh_before', undefined],
    ];
    for (const [method, path, body] of attempts) {
      const response = await call(method, path, body);
      expect({ call: `${method} ${path}`, status: response.status, type: response.body.error?.type }).toEqual(
        {
          call: `${method} ${path}`,
          status: 503,
          type: 'service_unavailable',
        },
      );
      expect(response.headers.get('retry-after')).toBe('5');
    }
    // The background repair may raise the version (so later records outrank anything half-written);
    // the endpoint itself is unchanged.
    const without = (rows: Array<Record<string, unknown>>) => rows.map(({ version: _v, ...rest }) => rest);
    expect(without(await db.dataSource.query('SELECT * FROM endpoints ORDER BY id'))).toEqual(
      without(before),
    );
    // The repair after the failed PATCH (which tried version 2) lifts the stored version past it, so
    // the next record of this endpoint outranks anything the failed attempt may have left behind.
    let version = 1;
    for (let tries = 0; tries < 50 && version < 3; tries += 1) {
      [{ version }] = await db.dataSource.query(`SELECT version FROM endpoints WHERE id = 'wh_before'`);
      if (version < 3) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(version).toBeGreaterThanOrEqual(3);
  });

  it('answers 503 to redelivery and puts the delivery back as it was', async () => {
    const response = await call('POST', `/v1/deliveries/${BEFORE}/redeliver`);
    expect(response.status).toBe(503);
    const [row] = await db.dataSource.query(`SELECT status, attempt_count FROM deliveries WHERE id = $1`, [
      BEFORE,
    ]);
    expect(row).toEqual({ status: 'failed', attempt_count: 2 });
  });

  it('answers 503 to a test event and leaves the delivery visible as failed', async () => {
    const response = await call('POST', '/v1/webhooks/wh_before/test');
    expect(response.status).toBe(503);
    const rows = await db.dataSource.query(`SELECT status, last_error FROM deliveries WHERE id <> $1`, [
      BEFORE,
    ]);
    expect(rows).toEqual([{ status: 'failed', last_error: 'the test delivery could not be queued' }]);
  });

  it('keeps serving reads', async () => {
    expect((await call('GET', '/v1/webhooks')).body.data.map((item: { id: string }) => item.id)).toEqual([
      'wh_before',
    ]);
    expect((await call('GET', `/v1/deliveries/${BEFORE}`)).status).toBe(200);
    expect((await admin('POST', '/v1/admin/endpoints/republish')).status).toBe(503);
  });
});
