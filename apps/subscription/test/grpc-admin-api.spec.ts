import * as grpc from '@grpc/grpc-js';
import { SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { createTestKafka, type TestDatabase } from '@hookline/testing';
import type { RunningSubscriptionService } from '../src/main';
import { grpcFailure } from './support/admin-grpc.client';
import {
  type Caller,
  type ServiceName,
  fieldViolations,
  type GrpcAdminHarness,
  instant,
  startGrpcAdmin,
} from './support/grpc-admin.harness';
import { seedDelivery, seedEvent } from './support/seed';
import { apiClient, type Json } from './support/subscription.harness';
import { TopicTap } from './support/topic-tap';

describe('gRPC admin API: operator, endpoints, authentication (real Postgres and Kafka, a real gRPC client)', () => {
  let harness: GrpcAdminHarness;
  let db: TestDatabase;
  let service: RunningSubscriptionService;
  let operator: Caller;
  const caller = (authorization: string | undefined): Caller => harness.caller(authorization);
  const newTenant = (name: string) => harness.newTenant(name);

  beforeAll(async () => {
    harness = await startGrpcAdmin();
    ({ db, service, operator } = harness);
  });
  afterAll(() => harness?.close());

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
        metadata: {},
        disabled_at: null,
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
});
