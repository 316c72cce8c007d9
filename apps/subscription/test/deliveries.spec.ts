import { catalogue, DELIVERY_TASKS_TOPIC, findEventType } from '@hookline/events';
import { decodeTasks } from './support/changelog.records';
import { seedAttempt, seedDelivery, seedEvent } from './support/seed';
import { startSubscription, type SubscriptionHarness, type TestTenant } from './support/subscription.harness';

const DAY = 86_400_000;

describe('delivery logs, redelivery, recovery and test events (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;
  let tenant: TestTenant;

  beforeAll(async () => {
    harness = await startSubscription();
    tenant = await harness.createTenant('Deliveries');
  });
  afterAll(() => harness?.close());

  async function endpoint(events: string[] = ['user.created']): Promise<string> {
    const created = await tenant.call('POST', '/v1/webhooks', { url: 'https://example.com/hooks', events });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function deliveryRow(id: string) {
    const [row] = await harness.dataSource.query(
      'SELECT status, attempt_count FROM deliveries WHERE id = $1',
      [id],
    );
    return row;
  }

  describe('test events', () => {
    it('stores a test event and a pending delivery, and queues attempt 1 keyed by endpoint', async () => {
      const endpointId = await endpoint(['payment.*', 'user.created']);
      const tap = await harness.tap(DELIVERY_TASKS_TOPIC);
      const response = await tenant.call('POST', `/v1/webhooks/${endpointId}/test`);
      expect(response.status).toBe(202);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^delivery_[0-9A-HJKMNP-TV-Z]{26}$/),
        object: 'delivery',
        event_id: expect.stringMatching(/^evt_/),
        event_type: 'payment.succeeded',
        endpoint_id: endpointId,
        status: 'pending',
        attempt: 1,
      });
      const { id: deliveryId, event_id: eventId } = response.body;

      const tasks = decodeTasks((await tap.read()).filter((record) => record.key === endpointId));
      expect(tasks).toEqual([
        {
          key: endpointId,
          task: {
            kind: 'delivery',
            v: 1,
            deliveryId,
            eventId,
            eventType: 'payment.succeeded',
            tenantId: tenant.id,
            endpointId,
            attempt: 1,
          },
        },
      ]);

      const [event] = await harness.dataSource.query('SELECT * FROM events WHERE id = $1', [eventId]);
      expect(event).toMatchObject({
        tenant_id: tenant.id,
        type: 'payment.succeeded',
        livemode: false,
        api_version: '2026-11-01',
      });
      expect(event.payload).toEqual({
        id: eventId,
        type: 'payment.succeeded',
        created: event.created_at.toISOString().replace('.000Z', 'Z'),
        api_version: '2026-11-01',
        data: findEventType('payment.succeeded')?.sample,
        previous_attributes: {},
        request: { id: expect.stringMatching(/^req_/), idempotency_key: null },
        livemode: false,
      });
      expect(await deliveryRow(deliveryId)).toEqual({ status: 'pending', attempt_count: 0 });

      const fetched = await tenant.call('GET', `/v1/events/${eventId}`);
      expect(fetched.body).toEqual(event.payload);
      const delivery = await tenant.call('GET', `/v1/deliveries/${deliveryId}`);
      expect(delivery.body).toMatchObject({
        id: deliveryId,
        status: 'pending',
        event_type: 'payment.succeeded',
        attempts: [],
      });
    });

    it('sends the type and data given, checked against the catalogue', async () => {
      const endpointId = await endpoint(['*']);
      const sent = await tenant.call('POST', `/v1/webhooks/${endpointId}/test`, {
        type: 'user.created',
        data: { id: 'test_user_123', email: 'test@example.com', name: 'Test User' },
      });
      expect(sent.status).toBe(202);
      const [event] = await harness.dataSource.query('SELECT payload FROM events WHERE id = $1', [
        sent.body.event_id,
      ]);
      expect(event.payload.data).toEqual({
        id: 'test_user_123',
        email: 'test@example.com',
        name: 'Test User',
      });

      const defaulted = await tenant.call('POST', `/v1/webhooks/${endpointId}/test`, {});
      expect(defaulted.body.event_type).toBe(catalogue[0].type);
    });

    it('reads a null type and a null or empty data, as generated clients send them, as not given', async () => {
      const endpointId = await endpoint(['user.created']);
      for (const body of [
        { type: null, data: {} },
        { type: 'user.created', data: null },
      ]) {
        const sent = await tenant.call('POST', `/v1/webhooks/${endpointId}/test`, body);
        expect([sent.status, sent.body.event_type]).toEqual([202, 'user.created']);
        const [event] = await harness.dataSource.query('SELECT payload FROM events WHERE id = $1', [
          sent.body.event_id,
        ]);
        expect(event.payload.data).toEqual(findEventType('user.created')?.sample);
      }
    });

    it.each([
      ['an unknown type', { type: 'user.exploded' }, 'type'],
      [
        'data that breaks the schema',
        { type: 'user.created', data: { id: 'u1', email: 'not-an-email' } },
        'data.email',
      ],
      ['data that is not an object', { type: 'user.created', data: 'hello' }, 'data'],
      ['an unknown field', { kind: 'x' }, 'kind'],
    ])('refuses %s naming the field', async (_case, body, field) => {
      const endpointId = await endpoint();
      const tap = await harness.tap(DELIVERY_TASKS_TOPIC);
      const response = await tenant.call('POST', `/v1/webhooks/${endpointId}/test`, body);
      expect(response.status).toBe(422);
      expect(response.body.error.fields.map((f: { field: string }) => f.field)).toEqual([field]);
      expect((await tap.read()).filter((record) => record.key === endpointId)).toEqual([]);
    });
  });

  describe('delivery log', () => {
    let endpointId: string;
    let eventId: string;
    const base = Date.parse('2024-01-01T00:00:00Z');
    const ids: string[] = [];

    beforeAll(async () => {
      endpointId = await endpoint();
      ({ id: eventId } = await seedEvent(harness.dataSource, { tenantId: tenant.id }));
      const statuses = [
        'succeeded',
        'failed',
        'succeeded',
        'awaiting_retry',
        'failed',
        'succeeded',
        'skipped',
      ] as const;
      for (const [index, status] of statuses.entries()) {
        ids.push(
          await seedDelivery(harness.dataSource, {
            tenantId: tenant.id,
            endpointId,
            eventId,
            status,
            createdAt: new Date(base + index * DAY),
            lastStatusCode: status === 'succeeded' ? 200 : 500,
          }),
        );
      }
    });

    const list = (query: string) => tenant.call('GET', `/v1/webhooks/${endpointId}/deliveries${query}`);
    const listedIds = (body: { data: Array<{ id: string }> }) => body.data.map((item) => item.id);

    it('pages newest first without repeating a delivery', async () => {
      const seen: string[] = [];
      const hasMore: boolean[] = [];
      let cursor = '';
      for (;;) {
        const page = await list(`?limit=3${cursor ? `&starting_after=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...listedIds(page.body));
        hasMore.push(page.body.has_more);
        if (!page.body.has_more) break;
        cursor = page.body.data.at(-1).id;
      }
      expect(hasMore).toEqual([true, true, false]);
      expect(seen).toEqual([...ids].reverse());
    });

    it('filters by creation time in ISO 8601 and unix seconds, both ends inclusive', async () => {
      const iso = await list('?created[gte]=2024-01-02T00:00:00Z&created[lte]=2024-01-04T00:00:00Z');
      expect(listedIds(iso.body)).toEqual([ids[3], ids[2], ids[1]]);
      const unix = await list(`?created[gte]=${(base + 5 * DAY) / 1000}`);
      expect(listedIds(unix.body)).toEqual([ids[6], ids[5]]);
      const dateOnly = await list('?created[lte]=2024-01-01');
      expect(listedIds(dateOnly.body)).toEqual([ids[0]]);
    });

    it('filters by status', async () => {
      const failed = await list('?status=failed');
      expect(listedIds(failed.body)).toEqual([ids[4], ids[1]]);
    });

    it.each([
      ['created[gte]=yesterday', 'created[gte]'],
      ['created[lte]=2024-02-30T00:00:00Z', 'created[lte]'],
      ['created[gte]=2024-01-05T00:00:00Z&created[lte]=2024-01-01T00:00:00Z', 'created[lte]'],
      ['status=lost', 'status'],
      ['starting_after=delivery_not_here', 'starting_after'],
    ])('refuses %s naming %s', async (query, field) => {
      const response = await list(`?${query}`);
      expect(response.status).toBe(422);
      expect(response.body.error.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    });

    it('answers 404 for an unknown endpoint', async () => {
      const response = await tenant.call('GET', '/v1/webhooks/wh_missing/deliveries');
      expect(response.status).toBe(404);
    });
  });

  describe('delivery detail', () => {
    it('shows the last response and every attempt, oldest first, with redacted request headers', async () => {
      const endpointId = await endpoint();
      const { id: eventId } = await seedEvent(harness.dataSource, { tenantId: tenant.id });
      const deliveryId = await seedDelivery(harness.dataSource, {
        tenantId: tenant.id,
        endpointId,
        eventId,
        status: 'succeeded',
        attemptCount: 2,
        lastStatusCode: 200,
        lastResponseBody: 'OK',
        lastResponseTimeMs: 87,
        createdAt: new Date('2024-01-15T10:30:00Z'),
      });
      const first = new Date('2024-01-15T10:30:00.120Z');
      const second = new Date('2024-01-15T10:31:00.250Z');
      const ids = { deliveryId, tenantId: tenant.id, endpointId, eventId };
      await seedAttempt(harness.dataSource, {
        ...ids,
        attempt: 2,
        statusCode: 200,
        durationMs: 87,
        startedAt: second,
        requestHeaders: { 'content-type': 'application/json', authorization: '[redacted]' },
        responseHeaders: { 'content-type': 'text/plain', 'set-cookie': '[redacted]' },
        responseBody: 'OK',
      });
      await seedAttempt(harness.dataSource, {
        ...ids,
        attempt: 1,
        statusCode: null,
        durationMs: 30_000,
        errorClass: 'timeout',
        errorMessage: 'no response within 30000 ms',
        startedAt: first,
      });

      const response = await tenant.call('GET', `/v1/deliveries/${deliveryId}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        id: deliveryId,
        object: 'delivery',
        endpoint_id: endpointId,
        event_id: eventId,
        event_type: 'user.created',
        status: 'succeeded',
        response_code: 200,
        response_body: 'OK',
        response_time_ms: 87,
        attempt_count: 2,
        next_attempt_at: null,
        last_error: null,
        created: '2024-01-15T10:30:00Z',
        completed_at: '2024-01-15T10:30:00.000Z',
        attempts: [
          {
            attempt: 1,
            status_code: null,
            duration_ms: 30_000,
            error_class: 'timeout',
            error_message: 'no response within 30000 ms',
            started_at: '2024-01-15T10:30:00.120Z',
            finished_at: '2024-01-15T10:30:30.120Z',
            request_headers: {},
            response_headers: null,
            response_body: null,
          },
          {
            attempt: 2,
            status_code: 200,
            duration_ms: 87,
            error_class: null,
            error_message: null,
            started_at: '2024-01-15T10:31:00.250Z',
            finished_at: '2024-01-15T10:31:00.337Z',
            request_headers: { 'content-type': 'application/json', authorization: '[redacted]' },
            response_headers: { 'content-type': 'text/plain', 'set-cookie': '[redacted]' },
            response_body: 'OK',
          },
        ],
      });
    });

    it('answers 404 for an unknown delivery', async () => {
      expect((await tenant.call('GET', '/v1/deliveries/delivery_def456')).status).toBe(404);
    });
  });

  describe('redeliver', () => {
    it('queues the next attempt of a failed delivery and marks it pending', async () => {
      const endpointId = await endpoint();
      const { id: eventId } = await seedEvent(harness.dataSource, {
        tenantId: tenant.id,
        type: 'user.updated',
      });
      const deliveryId = await seedDelivery(harness.dataSource, {
        tenantId: tenant.id,
        endpointId,
        eventId,
        status: 'failed',
        attemptCount: 3,
      });
      const tap = await harness.tap(DELIVERY_TASKS_TOPIC);
      const response = await tenant.call('POST', `/v1/deliveries/${deliveryId}/redeliver`);
      expect(response.status).toBe(202);
      expect(response.body).toEqual({
        id: deliveryId,
        object: 'delivery',
        event_id: eventId,
        event_type: 'user.updated',
        endpoint_id: endpointId,
        status: 'pending',
        attempt: 4,
      });
      expect(decodeTasks(await tap.read()).filter((t) => t.key === endpointId)).toEqual([
        {
          key: endpointId,
          task: {
            kind: 'delivery',
            v: 1,
            deliveryId,
            eventId,
            eventType: 'user.updated',
            tenantId: tenant.id,
            endpointId,
            attempt: 4,
          },
        },
      ]);
      expect(await deliveryRow(deliveryId)).toEqual({ status: 'pending', attempt_count: 3 });

      // Queued now, so a second redelivery would race the first.
      const again = await tenant.call('POST', `/v1/deliveries/${deliveryId}/redeliver`);
      expect(again.status).toBe(409);
      expect(again.body.error.type).toBe('conflict');
    });

    it('refuses a delivery whose event is no longer stored', async () => {
      const endpointId = await endpoint();
      const deliveryId = await seedDelivery(harness.dataSource, {
        tenantId: tenant.id,
        endpointId,
        eventId: 'evt_gone',
        status: 'failed',
      });
      const response = await tenant.call('POST', `/v1/deliveries/${deliveryId}/redeliver`);
      expect(response.status).toBe(409);
      expect(await deliveryRow(deliveryId)).toEqual({ status: 'failed', attempt_count: 1 });
    });
  });

  describe('recover', () => {
    it('re-sends every failed delivery of the endpoint created in the window, one task each', async () => {
      const endpointId = await endpoint();
      const otherEndpointId = await endpoint();
      const { id: eventId } = await seedEvent(harness.dataSource, { tenantId: tenant.id });
      const seed = (status: 'failed' | 'succeeded', day: string, target = endpointId) =>
        seedDelivery(harness.dataSource, {
          tenantId: tenant.id,
          endpointId: target,
          eventId,
          status,
          attemptCount: 2,
          createdAt: new Date(`${day}T12:00:00Z`),
        });
      const before = await seed('failed', '2024-01-01');
      const inWindow = [await seed('failed', '2024-01-05'), await seed('failed', '2024-01-06')];
      const succeeded = await seed('succeeded', '2024-01-05');
      const after = await seed('failed', '2024-01-20');
      const elsewhere = await seed('failed', '2024-01-05', otherEndpointId);

      const tap = await harness.tap(DELIVERY_TASKS_TOPIC);
      const response = await tenant.call('POST', `/v1/webhooks/${endpointId}/recover`, {
        since: '2024-01-02T00:00:00Z',
        until: String(Date.parse('2024-01-10T00:00:00Z') / 1000),
      });
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ count: 2 });

      const tasks = decodeTasks(await tap.read()).filter(
        (t) => t.key === endpointId || t.key === otherEndpointId,
      );
      expect(tasks.map((t) => [t.task.deliveryId, t.task.attempt]).sort()).toEqual(
        inWindow.map((id) => [id, 3]).sort(),
      );
      for (const id of inWindow) expect((await deliveryRow(id)).status).toBe('pending');
      for (const id of [before, after, elsewhere]) expect((await deliveryRow(id)).status).toBe('failed');
      expect((await deliveryRow(succeeded)).status).toBe('succeeded');

      const nothingLeft = await tenant.call('POST', `/v1/webhooks/${endpointId}/recover`, {
        since: '2024-01-02',
      });
      expect(nothingLeft.body).toEqual({ count: 1 }); // the one from 2024-01-20, until defaulting to now
    });

    it.each([
      [{}, ['since']],
      [{ since: 'last week' }, ['since']],
      [{ since: '2024-01-10T00:00:00Z', until: '2024-01-01T00:00:00Z' }, ['until']],
    ])('refuses %j naming %j', async (body, fields) => {
      const endpointId = await endpoint();
      const response = await tenant.call('POST', `/v1/webhooks/${endpointId}/recover`, body);
      expect(response.status).toBe(422);
      expect(response.body.error.fields.map((f: { field: string }) => f.field)).toEqual(fields);
    });
  });
});
