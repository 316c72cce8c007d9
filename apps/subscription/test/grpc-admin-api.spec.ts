import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { DELIVERY_TASKS_TOPIC, findEventType, SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { createTestDatabase, createTestKafka, type TestDatabase } from '@hookline/testing';
import { loadConfig } from '../src/config';
import { bootstrap, type RunningSubscriptionService } from '../src/main';
import {
  adminClient,
  callMetadata,
  callUnary,
  grpcFailure,
  rpcDetail,
  rpcStatus,
} from './support/admin-grpc.client';
import { decodeTasks } from './support/changelog.records';
import { seedAttempt, seedDelivery, seedEvent } from './support/seed';
import {
  apiClient,
  ensureSubscriptionTopics,
  type Json,
  testEnvironment,
} from './support/subscription.harness';
import { TopicTap } from './support/topic-tap';

type ServiceName = 'OperatorService' | 'EndpointService' | 'EventService' | 'DeliveryService';
type Caller = (service: ServiceName, method: string, request?: object) => Promise<Json>;

/** The field violations of an INVALID_ARGUMENT, decoded from its `grpc-status-details-bin` trailer. */
function fieldViolations(error: grpc.ServiceError): Array<{ field: string; description: string }> {
  const status = rpcStatus(error);
  expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
  expect(status.message).toBe(error.details);
  expect(status.details).toHaveLength(1);
  expect(status.details[0].type_url).toBe('type.googleapis.com/google.rpc.BadRequest');
  return rpcDetail(status.details[0], 'BadRequest').field_violations;
}

function timestamp(date: Date): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(date.getTime() / 1000)), nanos: (date.getTime() % 1000) * 1_000_000 };
}

function instant(value: { seconds: string; nanos: number } | null): string | null {
  return value === null ? null : new Date(Number(value.seconds) * 1000 + value.nanos / 1e6).toISOString();
}

describe('gRPC admin API (real Postgres and Kafka, a real gRPC client)', () => {
  let db: TestDatabase;
  let service: RunningSubscriptionService;
  let adminToken: string;
  const clients = new Map<ServiceName, grpc.Client>();

  /** Calls `service.method` with `authorization` in the metadata (none when undefined), over clients of its own. */
  function caller(authorization: string | undefined): Caller {
    return (serviceName, method, request = {}) => {
      let client = clients.get(serviceName);
      if (!client) {
        client = adminClient(serviceName, service.grpcPort);
        clients.set(serviceName, client);
      }
      return callUnary(client, method, request, callMetadata(authorization));
    };
  }

  let operator: Caller;

  /** Creates a tenant and mints a key over the operator service; returns a caller with that key. */
  async function newTenant(name: string): Promise<{ id: string; key: string; call: Caller }> {
    const tenant = await operator('OperatorService', 'CreateTenant', { name });
    const minted = await operator('OperatorService', 'MintApiKey', { tenant_id: tenant.id, name: 'grpc' });
    return { id: tenant.id, key: minted.key, call: caller(`Bearer ${minted.key}`) };
  }

  beforeAll(async () => {
    await ensureSubscriptionTopics(createTestKafka('subscription-grpc-test'));
    db = await createTestDatabase();
    adminToken = `admin_${randomBytes(24).toString('hex')}`;
    service = await bootstrap(
      loadConfig(
        testEnvironment(db.url, { SUBSCRIPTION_ADMIN_TOKEN: adminToken, SUBSCRIPTION_GRPC_PORT: '0' }),
      ),
    );
    operator = caller(`Bearer ${adminToken}`);
  });
  afterAll(async () => {
    for (const client of clients.values()) client.close();
    await service?.close();
    await db?.drop();
  });

  it('listens on a free port of its own next to HTTP', () => {
    expect(service.grpcPort).toBeGreaterThan(0);
    expect(service.grpcPort).not.toBe(service.port);
  });

  describe('operator service', () => {
    it('creates tenants and mints, lists and revokes keys with the admin token', async () => {
      const tenant = await operator('OperatorService', 'CreateTenant', { name: 'Acme' });
      expect(tenant).toEqual({
        id: expect.stringMatching(/^ten_[0-9A-HJKMNP-TV-Z]{26}$/),
        name: 'Acme',
        created: { seconds: expect.stringMatching(/^\d+$/), nanos: expect.any(Number) },
      });
      const minted = await operator('OperatorService', 'MintApiKey', { tenant_id: tenant.id });
      expect(minted.api_key).toMatchObject({ tenant_id: tenant.id, name: 'default', revoked_at: null });
      expect(minted.key.startsWith(minted.api_key.prefix)).toBe(true);

      // The key works on the REST API too: both transports share the use cases.
      const rest = await apiClient(service.url, `Bearer ${minted.key}`)('GET', '/v1/webhooks');
      expect(rest.status).toBe(200);

      const revoked = await operator('OperatorService', 'RevokeApiKey', {
        tenant_id: tenant.id,
        key_id: minted.api_key.id,
      });
      expect(revoked.revoked_at).not.toBeNull();
      const listed = await operator('OperatorService', 'ListApiKeys', { tenant_id: tenant.id });
      expect(listed.api_keys.map((key: Json) => [key.id, key.revoked_at !== null])).toEqual([
        [minted.api_key.id, true],
      ]);
      expect(JSON.stringify(listed)).not.toContain(minted.key);
      const refused = await grpcFailure(caller(`Bearer ${minted.key}`)('EndpointService', 'ListEndpoints'));
      expect(refused.code).toBe(grpc.status.UNAUTHENTICATED);
    });

    it.each([
      ['no token', undefined],
      ['a wrong token', 'Bearer not-the-admin-token-at-all-0123456789'],
      ['a header that is not a bearer token', `Token ${'x'.repeat(30)}`],
    ])('refuses %s with UNAUTHENTICATED', async (_case, authorization) => {
      const error = await grpcFailure(
        caller(authorization)('OperatorService', 'CreateTenant', { name: 'x' }),
      );
      expect([error.code, error.details]).toEqual([
        grpc.status.UNAUTHENTICATED,
        'Missing or invalid operator token',
      ]);
      const [{ count }] = await db.dataSource.query(
        `SELECT count(*)::int AS count FROM tenants WHERE name = 'x'`,
      );
      expect(count).toBe(0);
    });

    it('refuses a tenant API key on the operator service', async () => {
      const tenant = await newTenant('Not an operator');
      const error = await grpcFailure(
        tenant.call('OperatorService', 'ListApiKeys', { tenant_id: tenant.id }),
      );
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    });

    it('answers NOT_FOUND for keys of a tenant that does not exist', async () => {
      const error = await grpcFailure(
        operator('OperatorService', 'ListApiKeys', { tenant_id: 'ten_missing' }),
      );
      expect([error.code, error.details]).toEqual([grpc.status.NOT_FOUND, 'No such tenant: ten_missing']);
    });
  });

  describe('endpoints', () => {
    it('creates an endpoint, shows the secret once, and REST reads the same endpoint', async () => {
      const tenant = await newTenant('Create');
      const tap = await TopicTap.open(createTestKafka('subscription-grpc-tap'), SUBSCRIPTION_CHANGELOG_TOPIC);
      const created = await tenant.call('EndpointService', 'CreateEndpoint', {
        url: 'https://example.com/hooks',
        events: ['user.created', 'payment.*'],
        description: 'Main',
        metadata: { env: 'test' },
        headers: { 'X-Custom': 'value', Authorization: 'Bearer downstream-token' },
      });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(created.endpoint).toEqual({
        id: expect.stringMatching(/^wh_[0-9A-HJKMNP-TV-Z]{26}$/),
        url: 'https://example.com/hooks',
        events: ['user.created', 'payment.*'],
        description: 'Main',
        metadata: { env: 'test' },
        headers: { 'X-Custom': 'value', Authorization: '[redacted]' },
        active: true,
        previous_secret_expires_at: null,
        version: 1,
        disabled_at: null,
        created: expect.objectContaining({ seconds: expect.any(String) }),
        updated: expect.objectContaining({ seconds: expect.any(String) }),
      });
      const id = created.endpoint.id;

      // Published to the changelog like a REST creation.
      const records = (await tap.read()).filter((record) => record.key === id);
      expect(records).toHaveLength(1);

      const fetched = await tenant.call('EndpointService', 'GetEndpoint', { id });
      expect(fetched).toEqual(created.endpoint);
      expect(JSON.stringify(fetched)).not.toContain(created.secret);

      const rest = await apiClient(service.url, `Bearer ${tenant.key}`)('GET', `/v1/webhooks/${id}`);
      expect(rest.body).toMatchObject({
        id,
        url: 'https://example.com/hooks',
        events: ['user.created', 'payment.*'],
        description: 'Main',
        version: 1,
      });
      expect(new Date(rest.body.created).getTime()).toBe(
        new Date(instant(created.endpoint.created) as string).setMilliseconds(0),
      );
    });

    it('lists endpoints newest first, a page at a time', async () => {
      const tenant = await newTenant('Paging');
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        const created = await tenant.call('EndpointService', 'CreateEndpoint', {
          url: `https://example.com/hooks/${index}`,
          events: ['*'],
        });
        ids.push(created.endpoint.id);
      }
      const newestFirst = [...ids].reverse();

      const first = await tenant.call('EndpointService', 'ListEndpoints', { limit: 2 });
      expect(first.endpoints.map((endpoint: Json) => endpoint.id)).toEqual(newestFirst.slice(0, 2));
      expect(first.has_more).toBe(true);
      const second = await tenant.call('EndpointService', 'ListEndpoints', {
        limit: 2,
        starting_after: first.endpoints[1].id,
      });
      expect(second.endpoints.map((endpoint: Json) => endpoint.id)).toEqual(newestFirst.slice(2, 4));
      expect(second.has_more).toBe(true);
      const last = await tenant.call('EndpointService', 'ListEndpoints', {
        limit: 2,
        starting_after: second.endpoints[1].id,
      });
      expect(last.endpoints.map((endpoint: Json) => endpoint.id)).toEqual(newestFirst.slice(4));
      expect(last.has_more).toBe(false);

      // 0 means the default page size (10); another tenant's endpoints never show.
      const all = await tenant.call('EndpointService', 'ListEndpoints', {});
      expect(all.endpoints.map((endpoint: Json) => endpoint.id)).toEqual(newestFirst);

      const tooMany = await grpcFailure(tenant.call('EndpointService', 'ListEndpoints', { limit: 101 }));
      expect(tooMany.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(fieldViolations(tooMany)).toEqual([
        { field: 'limit', description: 'must be an integer from 1 to 100' },
      ]);
    });

    it('changes only the fields the update mask names, or the populated ones without a mask', async () => {
      const tenant = await newTenant('Update');
      const { endpoint } = await tenant.call('EndpointService', 'CreateEndpoint', {
        url: 'https://example.com/a',
        events: ['user.created'],
        description: 'before',
        metadata: { keep: 'me' },
      });

      const disabled = await tenant.call('EndpointService', 'UpdateEndpoint', {
        id: endpoint.id,
        active: false,
        url: 'https://ignored.example.com',
        update_mask: { paths: ['active', 'description'] },
      });
      expect(disabled).toMatchObject({
        url: 'https://example.com/a',
        active: false,
        disabled_reason: 'disabled by request',
        metadata: { keep: 'me' },
        version: 2,
      });
      expect(disabled.description).toBeUndefined();

      const implied = await tenant.call('EndpointService', 'UpdateEndpoint', {
        id: endpoint.id,
        events: ['user.*'],
      });
      expect(implied).toMatchObject({
        events: ['user.*'],
        active: false,
        metadata: { keep: 'me' },
        version: 3,
      });

      const unchanged = await tenant.call('EndpointService', 'UpdateEndpoint', {
        id: endpoint.id,
        events: ['user.*'],
        update_mask: { paths: ['events'] },
      });
      expect(unchanged.version).toBe(3);

      const bad = await grpcFailure(
        tenant.call('EndpointService', 'UpdateEndpoint', {
          id: endpoint.id,
          update_mask: { paths: ['secret', 'colour'] },
        }),
      );
      expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(fieldViolations(bad).map((violation) => violation.field)).toEqual([
        'update_mask.paths[0]',
        'update_mask.paths[1]',
      ]);
    });

    it('rotates the secret and deletes the endpoint', async () => {
      const tenant = await newTenant('Rotate');
      const { endpoint, secret } = await tenant.call('EndpointService', 'CreateEndpoint', {
        url: 'https://example.com/a',
        events: ['*'],
      });
      const rotated = await tenant.call('EndpointService', 'RotateEndpointSecret', {
        id: endpoint.id,
        secret: 'my-own-secret-123',
      });
      expect(rotated.secret).toBe('my-own-secret-123');
      expect(rotated.secret).not.toBe(secret);
      expect(rotated.endpoint.previous_secret_expires_at).not.toBeNull();

      expect(await tenant.call('EndpointService', 'DeleteEndpoint', { id: endpoint.id })).toEqual({
        id: endpoint.id,
        deleted: true,
      });
      const gone = await grpcFailure(tenant.call('EndpointService', 'GetEndpoint', { id: endpoint.id }));
      expect(gone.code).toBe(grpc.status.NOT_FOUND);
    });

    it('refuses invalid input with INVALID_ARGUMENT naming every bad field', async () => {
      const tenant = await newTenant('Validation');
      const error = await grpcFailure(
        tenant.call('EndpointService', 'CreateEndpoint', {
          url: 'http://example.com/plain',
          events: ['user.created', 'user.exploded'],
          headers: { 'User-Agent': 'mine' },
        }),
      );
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toContain('url must use https');
      expect(fieldViolations(error)).toEqual([
        { field: 'url', description: 'must use https' },
        {
          field: 'events[1]',
          description: '"user.exploded" is not a known event type, a group wildcard such as user.* or *',
        },
        { field: 'headers.User-Agent', description: 'is reserved: the sender sets it on every delivery' },
      ]);

      const missing = await grpcFailure(tenant.call('EndpointService', 'CreateEndpoint', {}));
      expect(fieldViolations(missing)).toEqual([
        { field: 'url', description: 'is required' },
        { field: 'events', description: 'is required' },
      ]);
      const [{ count }] = await db.dataSource.query(
        'SELECT count(*)::int AS count FROM endpoints WHERE tenant_id = $1',
        [tenant.id],
      );
      expect(count).toBe(0);
    });
  });

  describe('authentication and tenant isolation', () => {
    let owner: { id: string; key: string; call: Caller };
    let other: { id: string; key: string; call: Caller };
    let endpointId: string;
    let deliveryId: string;
    let eventId: string;

    beforeAll(async () => {
      owner = await newTenant('Owner');
      other = await newTenant('Other');
      ({
        endpoint: { id: endpointId },
      } = await owner.call('EndpointService', 'CreateEndpoint', {
        url: 'https://example.com/owner',
        events: ['*'],
      }));
      ({ id: eventId } = await seedEvent(db.dataSource, { tenantId: owner.id }));
      deliveryId = await seedDelivery(db.dataSource, { tenantId: owner.id, endpointId, eventId });
    });

    it.each([
      ['no key', undefined, 'Missing API key: send it as "Authorization: Bearer <key>"'],
      ['a wrong key', 'Bearer hl_sk_this-key-was-never-minted', 'Invalid or revoked API key'],
      ['a malformed header', 'Basic dXNlcjpwYXNz', 'Malformed Authorization header: expected "Bearer <key>"'],
    ])('answers UNAUTHENTICATED to %s', async (_case, authorization, message) => {
      const error = await grpcFailure(caller(authorization)('EndpointService', 'ListEndpoints', {}));
      expect([error.code, error.details]).toEqual([grpc.status.UNAUTHENTICATED, message]);
    });

    it("answers NOT_FOUND for another tenant's resources, exactly as for ids that do not exist", async () => {
      const cases: Array<[ServiceName, string, object, string]> = [
        ['EndpointService', 'GetEndpoint', { id: endpointId }, `No such webhook: ${endpointId}`],
        ['EndpointService', 'UpdateEndpoint', { id: endpointId, url: 'https://evil.example.com' }, ''],
        ['EndpointService', 'DeleteEndpoint', { id: endpointId }, ''],
        ['EndpointService', 'SendTestEvent', { endpoint_id: endpointId }, ''],
        ['DeliveryService', 'ListDeliveries', { endpoint_id: endpointId }, ''],
        ['DeliveryService', 'GetDelivery', { id: deliveryId }, `No such delivery: ${deliveryId}`],
        ['DeliveryService', 'Redeliver', { id: deliveryId }, ''],
        ['EventService', 'GetEvent', { id: eventId }, `No such event: ${eventId}`],
      ];
      for (const [serviceName, method, request, message] of cases) {
        const error = await grpcFailure(other.call(serviceName, method, request));
        expect([method, error.code]).toEqual([method, grpc.status.NOT_FOUND]);
        if (message) expect(error.details).toBe(message);
      }
      const missing = await grpcFailure(other.call('EndpointService', 'GetEndpoint', { id: 'wh_missing' }));
      expect([missing.code, missing.details]).toEqual([grpc.status.NOT_FOUND, 'No such webhook: wh_missing']);

      // The owner's endpoint and delivery are untouched.
      const mine = await owner.call('EndpointService', 'GetEndpoint', { id: endpointId });
      expect(mine).toMatchObject({ url: 'https://example.com/owner', version: 1 });
      const [row] = await db.dataSource.query('SELECT status FROM deliveries WHERE id = $1', [deliveryId]);
      expect(row.status).toBe('failed');
      const page = await other.call('EventService', 'ListEvents', {});
      expect(page.events).toEqual([]);
    });

    it('answers INVALID_ARGUMENT for an empty id', async () => {
      const error = await grpcFailure(owner.call('DeliveryService', 'GetDelivery', {}));
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(fieldViolations(error)).toEqual([{ field: 'id', description: 'is required' }]);
    });
  });

  describe('deliveries and events', () => {
    let tenant: { id: string; key: string; call: Caller };
    let endpointId: string;

    beforeAll(async () => {
      tenant = await newTenant('Deliveries');
      ({
        endpoint: { id: endpointId },
      } = await tenant.call('EndpointService', 'CreateEndpoint', {
        url: 'https://example.com/deliveries',
        events: ['payment.*', 'user.created'],
      }));
    });

    it('gets a delivery with its attempts', async () => {
      const { id: eventId } = await seedEvent(db.dataSource, { tenantId: tenant.id, type: 'user.created' });
      const createdAt = new Date('2024-03-01T10:00:00.123Z');
      const deliveryId = await seedDelivery(db.dataSource, {
        tenantId: tenant.id,
        endpointId,
        eventId,
        status: 'failed',
        attemptCount: 2,
        createdAt,
        lastStatusCode: 503,
        lastResponseBody: 'unavailable',
        lastResponseTimeMs: 40,
        lastError: 'HTTP 503',
      });
      const attempts = [
        {
          attempt: 1,
          statusCode: null,
          durationMs: 10_000,
          errorClass: 'timeout',
          errorMessage: 'no answer',
        },
        { attempt: 2, statusCode: 503, durationMs: 40 },
      ];
      for (const [index, attempt] of attempts.entries()) {
        await seedAttempt(db.dataSource, {
          deliveryId,
          tenantId: tenant.id,
          endpointId,
          eventId,
          ...attempt,
          startedAt: new Date(createdAt.getTime() + index * 60_000),
          requestHeaders: { 'webhook-id': eventId, authorization: '[redacted]' },
        });
      }

      const detail = await tenant.call('DeliveryService', 'GetDelivery', { id: deliveryId });
      expect(detail.delivery).toEqual({
        id: deliveryId,
        endpoint_id: endpointId,
        event_id: eventId,
        event_type: 'user.created',
        status: 'DELIVERY_STATUS_FAILED',
        response_code: 503,
        response_body: 'unavailable',
        response_time_ms: 40,
        attempt_count: 2,
        next_attempt_at: null,
        last_error: 'HTTP 503',
        created: timestamp(createdAt),
        completed_at: timestamp(createdAt),
      });
      expect(detail.attempts).toEqual([
        {
          attempt: 1,
          duration_ms: 10_000,
          error_class: 'timeout',
          error_message: 'no answer',
          started_at: timestamp(createdAt),
          finished_at: timestamp(new Date(createdAt.getTime() + 10_000)),
          request_headers: { 'webhook-id': eventId, authorization: '[redacted]' },
          response_headers: {},
        },
        {
          attempt: 2,
          status_code: 503,
          duration_ms: 40,
          started_at: timestamp(new Date(createdAt.getTime() + 60_000)),
          finished_at: timestamp(new Date(createdAt.getTime() + 60_040)),
          request_headers: { 'webhook-id': eventId, authorization: '[redacted]' },
          response_headers: {},
        },
      ]);
    });

    it('lists deliveries by status and creation time, redelivers and recovers them', async () => {
      const { id: eventId } = await seedEvent(db.dataSource, { tenantId: tenant.id });
      const { id: listEndpoint } = (
        await tenant.call('EndpointService', 'CreateEndpoint', {
          url: 'https://example.com/list',
          events: ['*'],
        })
      ).endpoint;
      const base = Date.parse('2024-05-01T00:00:00Z');
      const statuses = ['succeeded', 'failed', 'pending', 'failed'] as const;
      const ids: string[] = [];
      for (const [index, status] of statuses.entries()) {
        ids.push(
          await seedDelivery(db.dataSource, {
            tenantId: tenant.id,
            endpointId: listEndpoint,
            eventId,
            status,
            createdAt: new Date(base + index * 86_400_000),
          }),
        );
      }

      const failed = await tenant.call('DeliveryService', 'ListDeliveries', {
        endpoint_id: listEndpoint,
        status: 'DELIVERY_STATUS_FAILED',
      });
      expect(failed.deliveries.map((delivery: Json) => delivery.id)).toEqual([ids[3], ids[1]]);
      const window = await tenant.call('DeliveryService', 'ListDeliveries', {
        endpoint_id: listEndpoint,
        created_gte: timestamp(new Date(base + 86_400_000)),
        created_lte: timestamp(new Date(base + 2 * 86_400_000)),
        limit: 1,
      });
      expect(window.deliveries.map((delivery: Json) => delivery.id)).toEqual([ids[2]]);
      expect(window.has_more).toBe(true);

      const reversed = await grpcFailure(
        tenant.call('DeliveryService', 'ListDeliveries', {
          endpoint_id: listEndpoint,
          created_gte: timestamp(new Date(base + 86_400_000)),
          created_lte: timestamp(new Date(base)),
        }),
      );
      expect(reversed.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(reversed.details).toBe('Invalid request: created_lte must not be before created_gte');
      expect(fieldViolations(reversed)).toEqual([
        { field: 'created_lte', description: 'must not be before created_gte' },
      ]);

      const queued = await grpcFailure(tenant.call('DeliveryService', 'Redeliver', { id: ids[2] }));
      expect([queued.code, queued.details]).toEqual([
        grpc.status.FAILED_PRECONDITION,
        `Delivery ${ids[2]} is pending; it is already queued`,
      ]);

      const tap = await TopicTap.open(createTestKafka('subscription-grpc-tasks'), DELIVERY_TASKS_TOPIC);
      const redelivered = await tenant.call('DeliveryService', 'Redeliver', { id: ids[0] });
      expect(redelivered).toEqual({
        delivery_id: ids[0],
        event_id: eventId,
        event_type: 'user.created',
        endpoint_id: listEndpoint,
        attempt: 2,
      });
      const recovered = await tenant.call('DeliveryService', 'RecoverDeliveries', {
        endpoint_id: listEndpoint,
        since: timestamp(new Date(base)),
      });
      expect(recovered).toEqual({ count: 2 });
      const tasks = decodeTasks((await tap.read()).filter((record) => record.key === listEndpoint));
      expect(tasks.map(({ task }) => [task.deliveryId, task.attempt])).toEqual([
        [ids[0], 2],
        [ids[1], 2],
        [ids[3], 2],
      ]);

      const noSince = await grpcFailure(
        tenant.call('DeliveryService', 'RecoverDeliveries', { endpoint_id: listEndpoint }),
      );
      expect(fieldViolations(noSince)).toEqual([{ field: 'since', description: 'is required' }]);
    });

    it('sends a test event: stores it and puts the attempt on the delivery tasks topic', async () => {
      const tap = await TopicTap.open(createTestKafka('subscription-grpc-tasks'), DELIVERY_TASKS_TOPIC);
      const queued = await tenant.call('EndpointService', 'SendTestEvent', { endpoint_id: endpointId });
      expect(queued).toEqual({
        delivery_id: expect.stringMatching(/^delivery_[0-9A-HJKMNP-TV-Z]{26}$/),
        event_id: expect.stringMatching(/^evt_/),
        event_type: 'payment.succeeded',
        endpoint_id: endpointId,
        attempt: 1,
      });

      const custom = await tenant.call('EndpointService', 'SendTestEvent', {
        endpoint_id: endpointId,
        type: 'user.created',
        data: {
          fields: {
            id: { stringValue: 'test_user_123' },
            email: { stringValue: 'test@example.com' },
            name: { stringValue: 'Test User' },
          },
        },
      });

      const tasks = decodeTasks((await tap.read()).filter((record) => record.key === endpointId));
      expect(tasks.map(({ task }) => task)).toEqual([
        {
          kind: 'delivery',
          v: 1,
          deliveryId: queued.delivery_id,
          eventId: queued.event_id,
          eventType: 'payment.succeeded',
          tenantId: tenant.id,
          endpointId,
          attempt: 1,
        },
        {
          kind: 'delivery',
          v: 1,
          deliveryId: custom.delivery_id,
          eventId: custom.event_id,
          eventType: 'user.created',
          tenantId: tenant.id,
          endpointId,
          attempt: 1,
        },
      ]);

      // The stored events read back as Structs, the sample data and the data given.
      const sample = await tenant.call('EventService', 'GetEvent', { id: queued.event_id });
      expect(sample).toMatchObject({ id: queued.event_id, type: 'payment.succeeded', livemode: false });
      expect(structToJson(sample.data)).toEqual(findEventType('payment.succeeded')?.sample);
      const given = await tenant.call('EventService', 'GetEvent', { id: custom.event_id });
      expect(structToJson(given.data)).toEqual({
        id: 'test_user_123',
        email: 'test@example.com',
        name: 'Test User',
      });
      const [row] = await db.dataSource.query('SELECT payload FROM events WHERE id = $1', [custom.event_id]);
      expect(row.payload.data).toEqual(structToJson(given.data));

      const listed = await tenant.call('EventService', 'ListEvents', { type: 'user.*', limit: 100 });
      expect(listed.events.map((event: Json) => event.id)).toContain(custom.event_id);
      expect(listed.events.map((event: Json) => event.id)).not.toContain(queued.event_id);
    });

    it('refuses test data that breaks the schema, naming the field, and queues nothing', async () => {
      const tap = await TopicTap.open(createTestKafka('subscription-grpc-tasks'), DELIVERY_TASKS_TOPIC);
      const error = await grpcFailure(
        tenant.call('EndpointService', 'SendTestEvent', {
          endpoint_id: endpointId,
          type: 'user.created',
          data: { fields: { id: { stringValue: 'u1' }, email: { stringValue: 'not-an-email' } } },
        }),
      );
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(fieldViolations(error).map((violation) => violation.field)).toEqual(['data.email']);
      expect((await tap.read()).filter((record) => record.key === endpointId)).toEqual([]);
    });

    it('lists the event-type catalogue with schemas', async () => {
      const { event_types: types } = await tenant.call('EventService', 'ListEventTypes');
      const userCreated = types.find((type: Json) => type.type === 'user.created');
      expect(userCreated).toMatchObject({ group: 'user', category: 'authentication' });
      expect(structToJson(userCreated.sample)).toEqual(findEventType('user.created')?.sample);
      expect(structToJson(userCreated.schema)).toEqual(
        JSON.parse(JSON.stringify(findEventType('user.created')?.schema)),
      );
    });
  });

  describe('text Postgres cannot store', () => {
    const NUL = 'contains U+0000 (NUL), which cannot be stored';
    let tenant: { id: string; key: string; call: Caller };
    let endpointId: string;

    beforeAll(async () => {
      tenant = await newTenant('Unstorable text');
      ({
        endpoint: { id: endpointId },
      } = await tenant.call('EndpointService', 'CreateEndpoint', {
        url: 'https://example.com/text',
        events: ['user.created'],
      }));
    });

    it('answers INVALID_ARGUMENT naming every field that holds a NUL, and creates nothing', async () => {
      const error = await grpcFailure(
        tenant.call('EndpointService', 'CreateEndpoint', {
          url: 'https://example.com/text',
          events: ['user.created'],
          description: 'a\u0000b',
          metadata: { region: 'eu\u0000' },
        }),
      );
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toContain(`description ${NUL}`);
      expect(error.details).toContain(`metadata.region ${NUL}`);
      // In the order the decoder produces the fields.
      const violations = fieldViolations(error);
      expect(violations).toHaveLength(2);
      expect(violations).toEqual(
        expect.arrayContaining([
          { field: 'description', description: NUL },
          { field: 'metadata.region', description: NUL },
        ]),
      );
      const [{ count }] = await db.dataSource.query(
        'SELECT count(*)::int AS count FROM endpoints WHERE tenant_id = $1',
        [tenant.id],
      );
      expect(count).toBe(1);
    });

    it('checks ids, operator calls and test data inside Structs the same way', async () => {
      const cases: Array<[Caller, ServiceName, string, object, string]> = [
        [tenant.call, 'EndpointService', 'GetEndpoint', { id: 'wh_\u0000' }, 'id'],
        [
          tenant.call,
          'DeliveryService',
          'ListDeliveries',
          { endpoint_id: endpointId, starting_after: '\u0000' },
          'starting_after',
        ],
        [operator, 'OperatorService', 'CreateTenant', { name: 'a\u0000b' }, 'name'],
        [
          tenant.call,
          'EndpointService',
          'SendTestEvent',
          {
            endpoint_id: endpointId,
            type: 'user.created',
            data: {
              fields: {
                id: { stringValue: 'usr_1' },
                profile: {
                  structValue: {
                    fields: {
                      tags: { listValue: { values: [{ stringValue: 'ok' }, { stringValue: 'x\u0000' }] } },
                    },
                  },
                },
              },
            },
          },
          'data.profile.tags[1]',
        ],
      ];
      for (const [call, serviceName, method, request, field] of cases) {
        const error = await grpcFailure(call(serviceName, method, request));
        expect([method, error.code]).toEqual([method, grpc.status.INVALID_ARGUMENT]);
        expect([method, fieldViolations(error)]).toEqual([method, [{ field, description: NUL }]]);
      }
      const [{ count }] = await db.dataSource.query(
        'SELECT count(*)::int AS count FROM events WHERE tenant_id = $1',
        [tenant.id],
      );
      expect(count).toBe(0);
    });
  });
});

/** A Struct as the client decodes it, back to JSON. */
function structToJson(struct: Json): Record<string, unknown> {
  const value = (item: Json): unknown => {
    if (item.structValue) return structToJson(item.structValue);
    if (item.listValue) return item.listValue.values.map(value);
    for (const member of ['stringValue', 'numberValue', 'boolValue']) {
      if (item[member] !== undefined) return item[member];
    }
    return null;
  };
  return Object.fromEntries(Object.entries(struct.fields).map(([key, item]) => [key, value(item)]));
}
