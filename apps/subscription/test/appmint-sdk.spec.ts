import { DELIVERY_TASKS_TOPIC, SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { openEndpointSnapshot } from '@hookline/persistence';
import { decodeChanges, decodeTasks } from './support/changelog.records';
import { seedAttempt, seedDelivery, seedEvent } from './support/seed';
import { startSubscription, type SubscriptionHarness, type TestTenant } from './support/subscription.harness';

/** Each call of the Appmint page's SDK (`appmint.webhooks.*`) through its REST equivalent. */
describe('the Appmint webhooks page, SDK call for SDK call (appmint preset)', () => {
  let harness: SubscriptionHarness;
  let tenant: TestTenant;

  beforeAll(async () => {
    harness = await startSubscription({ HOOKLINE_PRESET: 'appmint' });
    tenant = await harness.createTenant('Appmint customer');
  });
  afterAll(() => harness?.close());

  /** A thin client mapping the SDK's methods onto the REST API. */
  const appmint = {
    webhooks: {
      create: (params: Record<string, unknown>) => tenant.call('POST', '/v1/webhooks', params),
      list: (params: { limit?: number; starting_after?: string }) => {
        const query = new URLSearchParams(
          Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
        );
        return tenant.call('GET', `/v1/webhooks?${query}`);
      },
      update: (id: string, params: Record<string, unknown>) =>
        tenant.call('PATCH', `/v1/webhooks/${id}`, params),
      delete: (id: string) => tenant.call('DELETE', `/v1/webhooks/${id}`),
      deliveries: (id: string, params: { limit?: number; created?: { gte?: string; lte?: string } }) => {
        const query = new URLSearchParams();
        if (params.limit !== undefined) query.set('limit', String(params.limit));
        if (params.created?.gte) query.set('created[gte]', params.created.gte);
        if (params.created?.lte) query.set('created[lte]', params.created.lte);
        return tenant.call('GET', `/v1/webhooks/${id}/deliveries?${query}`);
      },
      redeliver: (deliveryId: string) => tenant.call('POST', `/v1/deliveries/${deliveryId}/redeliver`),
      delivery: (deliveryId: string) => tenant.call('GET', `/v1/deliveries/${deliveryId}`),
      createTestEvent: (endpointId: string, params: { type: string; data: Record<string, unknown> }) =>
        tenant.call('POST', `/v1/webhooks/${endpointId}/test`, params),
    },
  };

  it('creates a webhook with description and metadata (Programmatic Setup)', async () => {
    const webhook = await appmint.webhooks.create({
      url: 'https://your-app.com/api/webhooks/appmint',
      events: ['user.created', 'payment.succeeded'],
      description: 'Main application webhook',
      metadata: { environment: 'production', version: '1.0' },
    });
    expect(webhook.status).toBe(201);
    expect(webhook.body).toMatchObject({
      id: expect.stringMatching(/^wh_/),
      description: 'Main application webhook',
      metadata: { environment: 'production', version: '1.0' },
      // The appmint preset renders times as ISO 8601, like the page's `"created": "2024-01-15T10:30:00Z"`.
      created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
    });
  });

  it('creates a webhook with active, secret and custom headers (Dashboard Configuration)', async () => {
    const changelog = await harness.tap(SUBSCRIPTION_CHANGELOG_TOPIC);
    const webhookConfig = {
      url: 'https://your-app.com/webhooks/appmint',
      events: ['user.created', 'payment.succeeded', 'document.created'],
      active: true,
      secret: 'your-webhook-secret',
      headers: { Authorization: 'Bearer your-api-token', 'X-Custom-Header': 'value' },
    };
    const webhook = await appmint.webhooks.create(webhookConfig);
    expect(webhook.status).toBe(201);
    expect(webhook.body.headers).toEqual({ Authorization: '[redacted]', 'X-Custom-Header': 'value' });
    // The dispatcher gets the real header values (sealed on the changelog, opened with the keyring);
    // only API answers hide them.
    const [change] = decodeChanges(
      (await changelog.read()).filter((record) => record.key === webhook.body.id),
    );
    if (change?.kind !== 'upsert') throw new Error('expected the endpoint on the changelog');
    expect(JSON.stringify(change)).not.toContain('your-api-token');
    expect(openEndpointSnapshot(harness.sealer, change.endpoint)).toMatchObject({
      headers: webhookConfig.headers,
      active: true,
    });

    const branded = await appmint.webhooks.create({
      ...webhookConfig,
      headers: { 'X-Appmint-Signature': 'x' },
    });
    expect(branded.status).toBe(422);
    expect(branded.body.error.fields).toEqual([
      { field: 'headers.X-Appmint-Signature', message: expect.stringContaining('reserved') },
    ]);
  });

  it('lists with limit and starting_after, updates and deletes (Webhook Dashboard)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push(
        (await appmint.webhooks.create({ url: `https://your-app.com/w/${i}`, events: ['user.created'] })).body
          .id,
      );
    }
    const all = await appmint.webhooks.list({ limit: 10 });
    const newest = all.body.data.map((item: { id: string }) => item.id);
    const afterFirst = await appmint.webhooks.list({ limit: 10, starting_after: ids[2] });
    expect(afterFirst.status).toBe(200);
    expect(afterFirst.body.data.map((item: { id: string }) => item.id)).toEqual(
      newest.slice(newest.indexOf(ids[2]) + 1),
    );

    const updated = await appmint.webhooks.update(ids[0], {
      events: ['user.created', 'user.updated', 'payment.succeeded'],
      url: 'https://new-url.com/webhooks',
      active: true,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      events: ['user.created', 'user.updated', 'payment.succeeded'],
      url: 'https://new-url.com/webhooks',
      active: true,
    });

    const deleted = await appmint.webhooks.delete(ids[0]);
    expect(deleted.body).toEqual({ id: ids[0], object: 'webhook_endpoint', deleted: true });
  });

  it('reads delivery logs in a created range, redelivers and shows delivery details (Webhook Logs)', async () => {
    const webhook = await appmint.webhooks.create({
      url: 'https://your-app.com/webhooks/appmint',
      events: ['*'],
    });
    const endpointId = webhook.body.id;
    const { id: eventId } = await seedEvent(harness.dataSource, {
      tenantId: tenant.id,
      type: 'payment.succeeded',
    });
    const seed = (createdAt: string, status: 'failed' | 'succeeded') =>
      seedDelivery(harness.dataSource, {
        tenantId: tenant.id,
        endpointId,
        eventId,
        status,
        attemptCount: 7,
        createdAt: new Date(createdAt),
        lastStatusCode: status === 'failed' ? 503 : 200,
        lastResponseBody: status === 'failed' ? 'Service Unavailable' : 'OK',
        lastResponseTimeMs: 120,
      });
    await seed('2023-12-31T23:59:59Z', 'succeeded');
    const january = [
      await seed('2024-01-01T00:00:00Z', 'succeeded'),
      await seed('2024-01-31T23:59:59Z', 'failed'),
    ];
    await seed('2024-02-01T00:00:00Z', 'succeeded');
    await seedAttempt(harness.dataSource, {
      deliveryId: january[1],
      tenantId: tenant.id,
      endpointId,
      eventId,
      attempt: 7,
      statusCode: 503,
      durationMs: 120,
      startedAt: new Date('2024-02-01T01:00:00Z'),
      responseBody: 'Service Unavailable',
    });

    const deliveries = await appmint.webhooks.deliveries(endpointId, {
      limit: 50,
      created: { gte: '2024-01-01T00:00:00Z', lte: '2024-01-31T23:59:59Z' },
    });
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.data.map((item: { id: string }) => item.id)).toEqual([january[1], january[0]]);

    const tasks = await harness.tap(DELIVERY_TASKS_TOPIC);
    const redelivered = await appmint.webhooks.redeliver(january[1]);
    expect(redelivered.status).toBe(202);
    expect(
      decodeTasks(await tasks.read())
        .filter((t) => t.key === endpointId)
        .map((t) => t.task),
    ).toEqual([
      expect.objectContaining({ deliveryId: january[1], eventType: 'payment.succeeded', attempt: 8 }),
    ]);

    const delivery = await appmint.webhooks.delivery(january[1]);
    expect(delivery.status).toBe(200);
    expect(delivery.body).toMatchObject({
      status: 'pending',
      response_code: 503,
      response_body: 'Service Unavailable',
      response_time_ms: 120,
      attempts: [expect.objectContaining({ attempt: 7, status_code: 503 })],
    });
  });

  it('creates a test event with the type and data given (Webhook Simulator)', async () => {
    const webhook = await appmint.webhooks.create({
      url: 'https://your-app.com/webhooks/appmint',
      events: ['user.*'],
    });
    const testEvent = await appmint.webhooks.createTestEvent(webhook.body.id, {
      type: 'user.created',
      data: { id: 'test_user_123', email: 'test@example.com', name: 'Test User' },
    });
    expect(testEvent.status).toBe(202);
    const event = await tenant.call('GET', `/v1/events/${testEvent.body.event_id}`);
    expect(event.body).toMatchObject({
      type: 'user.created',
      api_version: '2024-01-01',
      created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      data: { id: 'test_user_123', email: 'test@example.com', name: 'Test User' },
      livemode: false,
    });
  });
});
