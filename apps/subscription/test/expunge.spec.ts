import * as grpc from '@grpc/grpc-js';
import type { RunningSubscriptionService } from '../src/main';
import { adminClient, callMetadata, callUnary } from './support/admin-grpc.client';
import { seedAttempt, seedDelivery, seedEvent } from './support/seed';
import { startSubscription, type SubscriptionHarness, type TestTenant } from './support/subscription.harness';

const SECRET_DATA = { id: 'u_1', email: 'private@example.com', name: 'Private Person' };

describe('expunging events and tenant retention (real Postgres and Kafka, REST and gRPC)', () => {
  let harness: SubscriptionHarness;
  let tenant: TestTenant;
  let other: TestTenant;
  let endpointId: string;

  beforeAll(async () => {
    harness = await startSubscription();
    tenant = await harness.createTenant('Erasure');
    other = await harness.createTenant('Other');
    const created = await tenant.call('POST', '/v1/webhooks', {
      url: 'https://hooks.example.com/in',
      events: ['user.created'],
    });
    expect(created.status).toBe(201);
    endpointId = created.body.id;
  });
  afterAll(() => harness?.close());

  function grpcClient(service: string): grpc.Client {
    return adminClient(service, (harness.service as RunningSubscriptionService).grpcPort);
  }

  /** An event with a delivery that succeeded and one still waiting for its retry. */
  async function seedHistory(tenantId = tenant.id) {
    const event = await seedEvent(harness.dataSource, { tenantId, data: SECRET_DATA });
    const done = await seedDelivery(harness.dataSource, {
      tenantId,
      endpointId,
      eventId: event.id,
      status: 'succeeded',
      lastStatusCode: 200,
      lastResponseBody: 'thanks private@example.com',
    });
    const waiting = await seedDelivery(harness.dataSource, {
      tenantId,
      endpointId,
      eventId: event.id,
      status: 'awaiting_retry',
      lastStatusCode: 500,
      lastResponseBody: 'cannot store private@example.com',
      nextAttemptAt: new Date(Date.now() + 3_600_000),
    });
    for (const [deliveryId, statusCode] of [
      [done, 200],
      [waiting, 500],
    ] as const) {
      await seedAttempt(harness.dataSource, {
        deliveryId,
        tenantId,
        endpointId,
        eventId: event.id,
        attempt: 1,
        statusCode,
        durationMs: 42,
        startedAt: new Date(),
        requestHeaders: { 'content-type': 'application/json', 'webhook-id': event.id },
        responseBody: `echo ${SECRET_DATA.email}`,
      });
    }
    return { event, done, waiting };
  }

  /** Every place the payload or a response body could remain, as stored. */
  async function storedText(eventId: string): Promise<string> {
    const rows = await harness.dataSource.query(
      `SELECT (SELECT json_agg(e) FROM events e WHERE e.id = $1) AS events,
              (SELECT json_agg(d) FROM deliveries d WHERE d.event_id = $1) AS deliveries,
              (SELECT json_agg(a) FROM delivery_attempts a WHERE a.event_id = $1) AS attempts`,
      [eventId],
    );
    return JSON.stringify(rows);
  }

  it('erases the payload and response bodies, keeps the metadata, stops waiting deliveries and refuses redelivery', async () => {
    const { event, done, waiting } = await seedHistory();
    expect(await storedText(event.id)).toContain(SECRET_DATA.email);

    const response = await tenant.call('POST', `/v1/events/${event.id}/expunge`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: event.id,
      object: 'event',
      expunged_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      deliveries_stopped: 1,
    });

    // Gone from Postgres: the event row, the deliveries and the attempts.
    const stored = await storedText(event.id);
    expect(stored).not.toContain(SECRET_DATA.email);
    expect(stored).not.toContain('Private Person');

    // Gone from the API, with the metadata kept.
    const got = await tenant.call('GET', `/v1/events/${event.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id: event.id,
      type: 'user.created',
      data: {},
      expunged_at: response.body.expunged_at,
    });
    const listed = await tenant.call('GET', '/v1/events');
    expect(JSON.stringify(listed.body)).not.toContain(SECRET_DATA.email);

    const succeeded = await tenant.call('GET', `/v1/deliveries/${done}`);
    expect(succeeded.status).toBe(200);
    expect(succeeded.body).toMatchObject({ id: done, status: 'succeeded' });
    expect(JSON.stringify(succeeded.body)).not.toContain(SECRET_DATA.email);
    expect(JSON.stringify(succeeded.body)).toContain('"status_code":200');
    const stopped = await tenant.call('GET', `/v1/deliveries/${waiting}`);
    expect(stopped.body).toMatchObject({ status: 'skipped' });

    for (const id of [done, waiting]) {
      const again = await tenant.call('POST', `/v1/deliveries/${id}/redeliver`);
      expect(again.status).toBe(409);
      expect(again.body.error.message).toMatch(/expunged/);
    }
    const recovered = await tenant.call('POST', `/v1/webhooks/${endpointId}/recover`, {
      since: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(recovered.body).toMatchObject({ count: 0 });

    // Idempotent: the first time stands.
    const twice = await tenant.call('POST', `/v1/events/${event.id}/expunge`);
    expect(twice.status).toBe(200);
    expect(twice.body).toEqual({ ...response.body, deliveries_stopped: 0 });
  });

  it("answers 404 for another tenant's event, exactly as for an unknown one, and changes nothing", async () => {
    const { event } = await seedHistory();
    for (const id of [event.id, 'evt_unknown']) {
      const response = await other.call('POST', `/v1/events/${id}/expunge`);
      expect(response.status).toBe(404);
      expect(response.body.error.type).toBe('not_found');
    }
    expect(await storedText(event.id)).toContain(SECRET_DATA.email);
  });

  it('lets the operator expunge any tenant’s event, over REST and gRPC', async () => {
    const first = await seedHistory();
    const rest = await harness.admin(
      'POST',
      `/v1/admin/tenants/${tenant.id}/events/${first.event.id}/expunge`,
    );
    expect(rest.status).toBe(200);
    expect(await storedText(first.event.id)).not.toContain(SECRET_DATA.email);
    expect(
      (await harness.admin('POST', `/v1/admin/tenants/${other.id}/events/${first.event.id}/expunge`)).status,
    ).toBe(404);

    const second = await seedHistory();
    const operator = grpcClient('OperatorService');
    const expunged = await callUnary(
      operator,
      'ExpungeTenantEvent',
      { tenant_id: tenant.id, id: second.event.id },
      callMetadata(`Bearer ${harness.adminToken}`),
    );
    expect(expunged).toMatchObject({ id: second.event.id, deliveries_stopped: 1 });
    expect(await storedText(second.event.id)).not.toContain(SECRET_DATA.email);

    const third = await seedHistory();
    const events = grpcClient('EventService');
    await callUnary(events, 'ExpungeEvent', { id: third.event.id }, callMetadata(`Bearer ${tenant.key}`));
    const got = await callUnary(
      events,
      'GetEvent',
      { id: third.event.id },
      callMetadata(`Bearer ${tenant.key}`),
    );
    expect(got.expunged_at).not.toBeNull();
    expect(JSON.stringify(got)).not.toContain(SECRET_DATA.email);
    await expect(
      callUnary(events, 'ExpungeEvent', { id: third.event.id }, callMetadata(`Bearer ${other.key}`)),
    ).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    operator.close();
    events.close();
  });

  it("sets a tenant's retention, refusing bad values with 422 naming the field", async () => {
    const set = await harness.admin('PUT', `/v1/admin/tenants/${tenant.id}/retention`, { retention_days: 7 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ object: 'tenant_retention', tenant_id: tenant.id, retention_days: 7 });
    const [row] = await harness.dataSource.query('SELECT retention_days FROM tenants WHERE id = $1', [
      tenant.id,
    ]);
    expect(row.retention_days).toBe(7);

    for (const body of [
      { retention_days: 0 },
      { retention_days: 2.5 },
      { retention_days: '7' },
      {},
      { days: 3 },
    ]) {
      const refused = await harness.admin('PUT', `/v1/admin/tenants/${tenant.id}/retention`, body);
      expect(refused.status).toBe(422);
      expect(JSON.stringify(refused.body.error)).toMatch(/retention_days|days/);
    }
    expect(
      (await harness.admin('PUT', '/v1/admin/tenants/ten_unknown/retention', { retention_days: 3 })).status,
    ).toBe(404);
    // Tenants cannot set it.
    expect(
      (await tenant.call('PUT', `/v1/admin/tenants/${tenant.id}/retention`, { retention_days: 1 })).status,
    ).toBe(401);

    const operator = grpcClient('OperatorService');
    const cleared = await callUnary(
      operator,
      'SetTenantRetention',
      { tenant_id: tenant.id },
      callMetadata(`Bearer ${harness.adminToken}`),
    );
    expect(cleared).toEqual({ tenant_id: tenant.id });
    operator.close();
    const [after] = await harness.dataSource.query('SELECT retention_days FROM tenants WHERE id = $1', [
      tenant.id,
    ]);
    expect(after.retention_days).toBeNull();
  });
});
