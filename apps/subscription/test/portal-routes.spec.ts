import * as grpc from '@grpc/grpc-js';
import type { RunningSubscriptionService } from '../src/main';
import { adminClient, callMetadata, callUnary, grpcFailure } from './support/admin-grpc.client';
import { seedAttempt, seedDelivery, seedEvent } from './support/seed';
import {
  type ApiCall,
  type Json,
  startSubscription,
  type SubscriptionHarness,
  type TestTenant,
} from './support/subscription.harness';

const MINUTE = 60_000;

/**
 * What the customer portal reads beyond endpoint CRUD: the signing secret (never to a read-only
 * session), delivery logs filtered by event type, across every endpoint and per event, each attempt's
 * answer, and when an endpoint was disabled. REST and gRPC.
 */
describe('portal reads: secret, delivery logs, attempt answers (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;
  let grpcPort: number;
  let tenant: TestTenant;
  let other: TestTenant;
  const clients: grpc.Client[] = [];

  function rpc(authorization: string, serviceName: string, method: string, request: object): Promise<Json> {
    const client = adminClient(serviceName, grpcPort);
    clients.push(client);
    return callUnary(client, method, request, callMetadata(authorization));
  }

  async function session(tenantId: string, readOnly: boolean): Promise<string> {
    const minted = await harness.admin('POST', `/v1/admin/tenants/${tenantId}/portal-sessions`, {
      read_only: readOnly,
    });
    expect(minted.status).toBe(201);
    return minted.body.token as string;
  }

  async function endpoint(call: ApiCall, body: object = {}): Promise<Json> {
    const created = await call('POST', '/v1/webhooks', {
      url: 'https://example.com/hooks',
      events: ['*'],
      ...body,
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  beforeAll(async () => {
    harness = await startSubscription();
    grpcPort = (harness.service as RunningSubscriptionService).grpcPort;
    tenant = await harness.createTenant('Portal reads');
    other = await harness.createTenant('Someone else');
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await harness?.close();
  });

  describe('GET /v1/webhooks/{id}/secret', () => {
    it('reveals the current secret, and the end of the rotation window after a rotation', async () => {
      const created = await endpoint(tenant.call, { secret: 'first-secret-123' });
      const revealed = await tenant.call('GET', `/v1/webhooks/${created.id}/secret`);
      expect(revealed.status).toBe(200);
      expect(revealed.body).toEqual({ secret: 'first-secret-123', previous_secret_expires_at: null });

      const rotated = await tenant.call('POST', `/v1/webhooks/${created.id}/rotate-secret`, {});
      expect(rotated.status).toBe(200);
      const after = await tenant.call('GET', `/v1/webhooks/${created.id}/secret`);
      expect(after.body).toEqual({
        secret: rotated.body.secret,
        previous_secret_expires_at: rotated.body.previous_secret_expires_at,
      });
      expect(Date.parse(after.body.previous_secret_expires_at)).toBeGreaterThan(Date.now());
    });

    it('answers a full portal session, refuses a read-only one (403), and 404 for another tenant', async () => {
      const created = await endpoint(tenant.call, { secret: 'portal-secret-123' });
      const full = harness.withAuthorization(`Bearer ${await session(tenant.id, false)}`);
      expect((await full('GET', `/v1/webhooks/${created.id}/secret`)).body.secret).toBe('portal-secret-123');

      const readOnly = harness.withAuthorization(`Bearer ${await session(tenant.id, true)}`);
      const refused = await readOnly('GET', `/v1/webhooks/${created.id}/secret`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe(
        'This portal session is read-only: revealing the signing secret is not allowed',
      );
      expect(JSON.stringify(refused.body)).not.toContain('portal-secret-123');
      // The rest of the endpoint stays readable to it.
      expect((await readOnly('GET', `/v1/webhooks/${created.id}`)).status).toBe(200);

      const foreign = await other.call('GET', `/v1/webhooks/${created.id}/secret`);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({
        error: { type: 'not_found', message: `No such webhook: ${created.id}` },
      });
    });

    it('is GetEndpointSecret over gRPC, PERMISSION_DENIED to a read-only session', async () => {
      const created = await endpoint(tenant.call, { secret: 'grpc-secret-1234' });
      const answer = await rpc(`Bearer ${tenant.key}`, 'EndpointService', 'GetEndpointSecret', {
        id: created.id,
      });
      expect(answer).toEqual({ secret: 'grpc-secret-1234', previous_secret_expires_at: null });

      const readOnly = `Bearer ${await session(tenant.id, true)}`;
      const denied = await grpcFailure(
        rpc(readOnly, 'EndpointService', 'GetEndpointSecret', { id: created.id }),
      );
      expect([denied.code, denied.details]).toEqual([
        grpc.status.PERMISSION_DENIED,
        'This portal session is read-only: GetEndpointSecret is not allowed',
      ]);
      // Other reads stay open to it.
      expect((await rpc(readOnly, 'EndpointService', 'GetEndpoint', { id: created.id })).id).toBe(created.id);

      const foreign = await grpcFailure(
        rpc(`Bearer ${other.key}`, 'EndpointService', 'GetEndpointSecret', { id: created.id }),
      );
      expect(foreign.code).toBe(grpc.status.NOT_FOUND);
    });
  });

  describe('delivery logs', () => {
    let tenantA: TestTenant;
    let first: string;
    let second: string;
    const ids: Record<string, string> = {};
    let eventUserCreated: string;
    const base = new Date('2025-03-01T12:00:00Z');

    // Five deliveries a minute apart: first ← user.created (failed), user.updated (succeeded),
    // payment.succeeded (failed); second ← user.created (succeeded), payment.failed (failed).
    beforeAll(async () => {
      tenantA = await harness.createTenant('Logs');
      first = (await endpoint(tenantA.call)).id;
      second = (await endpoint(tenantA.call)).id;
      const seeds: Array<[string, string, string, 'failed' | 'succeeded', string?]> = [
        ['a1', first, 'user.created', 'failed', 'shared'],
        ['a2', first, 'user.updated', 'succeeded'],
        ['a3', first, 'payment.succeeded', 'failed'],
        ['b1', second, 'user.created', 'succeeded', 'shared'],
        ['b2', second, 'payment.failed', 'failed'],
      ];
      const events: Record<string, string> = {};
      for (const [index, [name, endpointId, type, status, eventKey]] of seeds.entries()) {
        const createdAt = new Date(base.getTime() + index * MINUTE);
        let eventId = eventKey ? events[eventKey] : undefined;
        if (!eventId) {
          eventId = (await seedEvent(harness.dataSource, { tenantId: tenantA.id, type, createdAt })).id;
          if (eventKey) events[eventKey] = eventId;
        }
        ids[name] = await seedDelivery(harness.dataSource, {
          tenantId: tenantA.id,
          endpointId,
          eventId,
          status,
          createdAt,
        });
      }
      eventUserCreated = events.shared;
    });

    const idsOf = (body: Json): string[] => body.data.map((item: { id: string }) => item.id);

    it('filters an endpoint log by event type or group wildcard, with status and created', async () => {
      const exact = await tenantA.call('GET', `/v1/webhooks/${first}/deliveries?type=user.created`);
      expect([exact.status, idsOf(exact.body)]).toEqual([200, [ids.a1]]);
      expect(exact.body.data[0]).toMatchObject({ event_type: 'user.created', endpoint_id: first });

      const group = await tenantA.call('GET', `/v1/webhooks/${first}/deliveries?type=user.*`);
      expect(idsOf(group.body)).toEqual([ids.a2, ids.a1]);
      const everything = await tenantA.call('GET', `/v1/webhooks/${first}/deliveries?type=*`);
      expect(idsOf(everything.body)).toEqual([ids.a3, ids.a2, ids.a1]);

      const combined = await tenantA.call(
        'GET',
        `/v1/webhooks/${first}/deliveries?type=user.*&status=failed&created[lte]=${base.toISOString()}`,
      );
      expect(idsOf(combined.body)).toEqual([ids.a1]);
    });

    it('refuses a type that is neither a catalogue type nor a wildcard, naming the field (422)', async () => {
      for (const path of [
        `/v1/webhooks/${first}/deliveries?type=user.exploded`,
        `/v1/deliveries?type=nope.*`,
        '/v1/deliveries?type=',
      ]) {
        const response = await tenantA.call('GET', path);
        expect([path, response.status]).toEqual([path, 422]);
        expect(response.body.error.fields).toEqual([
          { field: 'type', message: 'must be an event type of the catalogue or a wildcard such as user.*' },
        ]);
      }
    });

    it('lists every endpoint at GET /v1/deliveries with the same filters and paging', async () => {
      const all = await tenantA.call('GET', '/v1/deliveries');
      expect([all.status, idsOf(all.body), all.body.has_more]).toEqual([
        200,
        [ids.b2, ids.b1, ids.a3, ids.a2, ids.a1],
        false,
      ]);

      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await tenantA.call(
          'GET',
          `/v1/deliveries?limit=2${after ? `&starting_after=${after}` : ''}`,
        );
        expect(page.status).toBe(200);
        seen.push(...idsOf(page.body));
        if (!page.body.has_more) break;
        after = seen[seen.length - 1];
      }
      expect(seen).toEqual(idsOf(all.body));

      const failedPayments = await tenantA.call('GET', '/v1/deliveries?type=payment.*&status=failed');
      expect(idsOf(failedPayments.body)).toEqual([ids.b2, ids.a3]);
      const oneEndpoint = await tenantA.call('GET', `/v1/deliveries?endpoint_id=${second}`);
      expect(oneEndpoint.body).toEqual((await tenantA.call('GET', `/v1/webhooks/${second}/deliveries`)).body);
      const range = await tenantA.call(
        'GET',
        `/v1/deliveries?created[gte]=${new Date(base.getTime() + MINUTE).toISOString()}&created[lte]=${new Date(base.getTime() + 3 * MINUTE).toISOString()}`,
      );
      expect(idsOf(range.body)).toEqual([ids.b1, ids.a3, ids.a2]);
    });

    it("keeps tenants apart: another tenant's endpoint is 404, its cursor 422, its log empty", async () => {
      const foreignEndpoint = await tenantA.call('GET', `/v1/deliveries?endpoint_id=${first}`);
      expect(foreignEndpoint.status).toBe(200);
      expect((await other.call('GET', `/v1/deliveries?endpoint_id=${first}`)).status).toBe(404);
      expect(idsOf((await other.call('GET', '/v1/deliveries')).body)).not.toContain(ids.a1);
      const cursor = await other.call('GET', `/v1/deliveries?starting_after=${ids.a1}`);
      expect(cursor.status).toBe(422);
      expect(cursor.body.error.fields).toEqual([
        { field: 'starting_after', message: 'is not a delivery of this account' },
      ]);
      const wrongEndpoint = await tenantA.call(
        'GET',
        `/v1/webhooks/${second}/deliveries?starting_after=${ids.a1}`,
      );
      expect(wrongEndpoint.body.error.fields).toEqual([
        { field: 'starting_after', message: 'is not a delivery of this endpoint' },
      ]);
    });

    it("lists an event's deliveries at GET /v1/events/{id}/deliveries, paged; 404 for another tenant", async () => {
      const response = await tenantA.call('GET', `/v1/events/${eventUserCreated}/deliveries`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ object: 'list', has_more: false });
      expect(idsOf(response.body)).toEqual([ids.b1, ids.a1]);
      expect(response.body.data[0]).toMatchObject({
        object: 'delivery',
        event_id: eventUserCreated,
        endpoint_id: second,
        event_type: 'user.created',
      });

      const page1 = await tenantA.call('GET', `/v1/events/${eventUserCreated}/deliveries?limit=1`);
      expect([idsOf(page1.body), page1.body.has_more]).toEqual([[ids.b1], true]);
      const page2 = await tenantA.call(
        'GET',
        `/v1/events/${eventUserCreated}/deliveries?limit=1&starting_after=${ids.b1}`,
      );
      expect([idsOf(page2.body), page2.body.has_more]).toEqual([[ids.a1], false]);
      const notOfEvent = await tenantA.call(
        'GET',
        `/v1/events/${eventUserCreated}/deliveries?starting_after=${ids.a2}`,
      );
      expect(notOfEvent.body.error.fields).toEqual([
        { field: 'starting_after', message: 'is not a delivery of this event' },
      ]);

      const foreign = await other.call('GET', `/v1/events/${eventUserCreated}/deliveries`);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({
        error: { type: 'not_found', message: `No such event: ${eventUserCreated}` },
      });
    });

    it('offers the same logs over gRPC: ListDeliveries across endpoints with type, ListEventDeliveries', async () => {
      const auth = `Bearer ${tenantA.key}`;
      const all = await rpc(auth, 'DeliveryService', 'ListDeliveries', { type: 'user.*' });
      expect(all.deliveries.map((d: { id: string }) => d.id)).toEqual([ids.b1, ids.a2, ids.a1]);
      const one = await rpc(auth, 'DeliveryService', 'ListDeliveries', {
        endpoint_id: first,
        type: 'payment.succeeded',
      });
      expect(one.deliveries.map((d: { id: string }) => d.id)).toEqual([ids.a3]);
      const bad = await grpcFailure(rpc(auth, 'DeliveryService', 'ListDeliveries', { type: 'user.nope' }));
      expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(bad.details).toContain('type');

      const byEvent = await rpc(auth, 'DeliveryService', 'ListEventDeliveries', {
        event_id: eventUserCreated,
      });
      expect([byEvent.deliveries.map((d: { id: string }) => d.id), byEvent.has_more]).toEqual([
        [ids.b1, ids.a1],
        false,
      ]);
      const foreign = await grpcFailure(
        rpc(`Bearer ${other.key}`, 'DeliveryService', 'ListEventDeliveries', { event_id: eventUserCreated }),
      );
      expect(foreign.code).toBe(grpc.status.NOT_FOUND);
    });

    it("shows each attempt's response headers and stored body excerpt (REST and gRPC)", async () => {
      const startedAt = new Date('2025-03-01T12:00:00.500Z');
      const seeded = { deliveryId: ids.a1, tenantId: tenantA.id, endpointId: first };
      const [{ event_id: eventId }] = await harness.dataSource.query(
        'SELECT event_id FROM deliveries WHERE id = $1',
        [ids.a1],
      );
      await seedAttempt(harness.dataSource, {
        ...seeded,
        eventId,
        attempt: 1,
        statusCode: 503,
        durationMs: 12,
        startedAt,
        responseHeaders: { 'retry-after': '30', 'set-cookie': '[redacted]' },
        responseBody: '{"error":"maintenance"}',
      });
      await seedAttempt(harness.dataSource, {
        ...seeded,
        eventId,
        attempt: 2,
        statusCode: null,
        durationMs: 30_000,
        errorClass: 'timeout',
        startedAt: new Date(startedAt.getTime() + MINUTE),
      });
      const detail = await tenantA.call('GET', `/v1/deliveries/${ids.a1}`);
      expect(detail.status).toBe(200);
      expect(detail.body.attempts.map((a: Json) => [a.attempt, a.response_headers, a.response_body])).toEqual(
        [
          [1, { 'retry-after': '30', 'set-cookie': '[redacted]' }, '{"error":"maintenance"}'],
          [2, null, null],
        ],
      );

      const overGrpc = await rpc(`Bearer ${tenantA.key}`, 'DeliveryService', 'GetDelivery', { id: ids.a1 });
      expect(overGrpc.attempts[0]).toMatchObject({
        response_headers: { 'retry-after': '30', 'set-cookie': '[redacted]' },
        response_body: '{"error":"maintenance"}',
      });
      expect(overGrpc.attempts[1].response_headers).toEqual({});
      expect(overGrpc.attempts[1].response_body).toBeUndefined();
    });
  });

  it("shows the endpoint's circuit breaker as the running dispatchers report it (REST and gRPC)", async () => {
    const created = await endpoint(tenant.call);
    const breakerOf = async () =>
      (await tenant.call('GET', `/v1/webhooks/${created.id}/stats?window=1h`)).body;
    expect((await breakerOf()).breaker).toEqual({
      state: 'closed',
      since: null,
      reason: null,
      dispatchers_open: 0,
      dispatchers: 0,
    });
    const report = (owner: string, state: string, since: string, reason: string, expiresInSeconds: number) =>
      harness.dataSource.query(
        `INSERT INTO endpoint_breakers (endpoint_id, owner, state, since, reason, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
        [created.id, owner, state, since, reason, expiresInSeconds],
      );
    await report(
      'dispatcher-a',
      'open',
      '2026-01-01T10:00:00Z',
      '6 of 10 attempts failed in the last 60 s',
      60,
    );
    await report(
      'dispatcher-b',
      'closed',
      '2026-01-01T09:00:00Z',
      'an attempt succeeded while half-open',
      60,
    );
    await report('dispatcher-gone', 'open', '2026-01-01T08:00:00Z', 'a dispatcher that stopped', -5);
    expect((await breakerOf()).breaker).toEqual({
      state: 'open',
      since: '2026-01-01T10:00:00.000Z',
      reason: '6 of 10 attempts failed in the last 60 s',
      dispatchers_open: 1,
      dispatchers: 2,
    });
    const overGrpc = await rpc(`Bearer ${tenant.key}`, 'EndpointService', 'GetEndpointStats', {
      endpoint_id: created.id,
    });
    expect(overGrpc.breaker).toEqual({
      state: 'BREAKER_STATE_OPEN',
      since: { seconds: String(Date.parse('2026-01-01T10:00:00Z') / 1000), nanos: 0 },
      reason: '6 of 10 attempts failed in the last 60 s',
      dispatchers_open: 1,
      dispatchers: 2,
    });
  });

  it('shows when an endpoint was disabled, and clears it when enabled again', async () => {
    const created = await endpoint(tenant.call);
    expect(created.disabled_at).toBeNull();
    const before = Date.now();
    const disabled = await tenant.call('PATCH', `/v1/webhooks/${created.id}`, { active: false });
    expect(disabled.body).toMatchObject({ active: false, disabled_reason: 'disabled by request' });
    expect(Date.parse(disabled.body.disabled_at)).toBeGreaterThanOrEqual(before - 1000);
    const overGrpc = await rpc(`Bearer ${tenant.key}`, 'EndpointService', 'GetEndpoint', { id: created.id });
    expect(overGrpc.disabled_at).toEqual(expect.objectContaining({ seconds: expect.any(String) }));

    const enabled = await tenant.call('PATCH', `/v1/webhooks/${created.id}`, { active: true });
    expect(enabled.body).toMatchObject({ active: true, disabled_reason: null, disabled_at: null });
  });
});
