import { DELIVERY_TASKS_TOPIC, SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { openEndpointSnapshot } from '@hookline/persistence';
import { decodeChanges, decodeTasks } from './support/changelog.records';
import {
  type Json,
  startSubscription,
  type SubscriptionHarness,
  type TestTenant,
} from './support/subscription.harness';

/**
 * The Hackmamba page's curl commands, sent byte for byte as curl sends them; only the host, the key
 * and the endpoint id (the page's `wh_123`) differ.
 */
describe('the Hackmamba webhooks page, call for call (hackmamba preset)', () => {
  let harness: SubscriptionHarness;
  let tenant: TestTenant;

  beforeAll(async () => {
    harness = await startSubscription({ HOOKLINE_PRESET: 'hackmamba' });
    tenant = await harness.createTenant('Hackmamba customer');
  });
  afterAll(() => harness?.close());

  /** `curl [-X method] -H "Authorization: Bearer YOUR_API_KEY" [-H "Content-Type: application/json" -d body] url` */
  async function curl(method: string, path: string, body?: string) {
    const headers: Record<string, string> = { Authorization: `Bearer ${tenant.key}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${harness.service.url}${path}`, { method, headers, body });
    return { status: response.status, body: (await response.json()) as Json };
  }

  it('registers, lists, updates, tests and deletes a webhook', async () => {
    const changelog = await harness.tap(SUBSCRIPTION_CHANGELOG_TOPIC);
    const tasks = await harness.tap(DELIVERY_TASKS_TOPIC);

    // 2. Register Your Webhook
    const registered = await curl(
      'POST',
      '/v1/webhooks',
      `{
"url": "https://your-app.com/webhooks/hackmamba",
"events": ["user.created", "user.updated"],
"secret": "your-webhook-secret"
}`,
    );
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      id: expect.stringMatching(/^wh_/),
      url: 'https://your-app.com/webhooks/hackmamba',
      events: ['user.created', 'user.updated'],
      secret: 'your-webhook-secret',
      active: true,
      // The hackmamba preset renders times as unix seconds, like the page's `"created": 1640995200`.
      created: expect.any(Number),
    });
    const wh = registered.body.id as string;

    // List Webhooks
    const listed = await curl('GET', '/v1/webhooks');
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ object: 'list', has_more: false });
    expect(listed.body.data.map((item: { id: string }) => item.id)).toEqual([wh]);
    expect(listed.body.data[0]).not.toHaveProperty('secret');

    // Update Webhook
    const updated = await curl(
      'PUT',
      `/v1/webhooks/${wh}`,
      `{
"events": ["user.created", "user.updated", "user.deleted"]
}`,
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      id: wh,
      url: 'https://your-app.com/webhooks/hackmamba',
      events: ['user.created', 'user.updated', 'user.deleted'],
      version: 2,
    });

    // Webhook Testing Tool
    const tested = await curl('POST', `/v1/webhooks/${wh}/test`);
    expect(tested.status).toBe(202);
    expect(tested.body).toMatchObject({
      object: 'delivery',
      event_type: 'user.created',
      endpoint_id: wh,
      attempt: 1,
    });

    // Delete Webhook
    const deleted = await curl('DELETE', `/v1/webhooks/${wh}`);
    expect(deleted).toEqual({ status: 200, body: { id: wh, object: 'webhook_endpoint', deleted: true } });
    expect((await curl('GET', `/v1/webhooks/${wh}`)).status).toBe(404);

    // The dispatcher receives the test delivery ...
    expect(decodeTasks((await tasks.read()).filter((record) => record.key === wh))).toEqual([
      {
        key: wh,
        task: {
          kind: 'delivery',
          v: 1,
          deliveryId: tested.body.id,
          eventId: tested.body.event_id,
          eventType: 'user.created',
          tenantId: tenant.id,
          endpointId: wh,
          attempt: 1,
        },
      },
    ]);
    // ... with an event in the page's envelope shape (unix `created`, `livemode: false`) ...
    const [event] = await harness.dataSource.query('SELECT payload FROM events WHERE id = $1', [
      tested.body.event_id,
    ]);
    expect(event.payload).toMatchObject({
      id: tested.body.event_id,
      type: 'user.created',
      created: expect.any(Number),
      livemode: false,
      request: { id: expect.stringMatching(/^req_/) },
    });
    // ... and saw every change of the endpoint, ending in its deletion.
    const changes = decodeChanges((await changelog.read()).filter((record) => record.key === wh));
    expect(changes.map((change) => (change.kind === 'upsert' ? change.endpoint.events : 'deleted'))).toEqual([
      ['user.created', 'user.updated'],
      ['user.created', 'user.updated', 'user.deleted'],
      'deleted',
    ]);
    // The changelog carries the secret sealed, as the table holds it; the dispatcher opens it.
    const first = changes[0];
    if (first.kind !== 'upsert') throw new Error('the first change is not an upsert');
    expect(JSON.stringify(first)).not.toContain('your-webhook-secret');
    expect(openEndpointSnapshot(harness.sealer, first.endpoint).secrets).toEqual([
      { secret: 'your-webhook-secret' },
    ]);
  });

  it('serves an OpenAPI document whose created is unix seconds, as this preset renders it', async () => {
    const document = (await (await fetch(`${harness.service.url}/docs/openapi.json`)).json()) as Json;
    expect(document.components.schemas.CreatedTime).toMatchObject({ type: 'integer', format: 'int64' });
    const registered = await curl(
      'POST',
      '/v1/webhooks',
      '{"url": "https://your-app.com/webhooks/hackmamba", "events": ["user.created"]}',
    );
    expect(Number.isInteger(registered.body.created)).toBe(true);
  });

  it('registers the ngrok example without a secret and generates one', async () => {
    const registered = await curl(
      'POST',
      '/v1/webhooks',
      `{
"url": "https://abc123.ngrok.io/webhooks/hackmamba",
"events": ["user.created"]
}`,
    );
    expect(registered.status).toBe(201);
    expect(registered.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });

  it('refuses an http endpoint ("We will not send webhooks to HTTP endpoints")', async () => {
    const refused = await curl(
      'POST',
      '/v1/webhooks',
      JSON.stringify({ url: 'http://your-app.com/w', events: ['user.created'] }),
    );
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields).toEqual([{ field: 'url', message: 'must use https' }]);
  });
});
