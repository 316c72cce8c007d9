import { DELIVERY_TASKS_TOPIC } from '@hookline/events';
import { startSubscription, type SubscriptionHarness, type TestTenant } from './support/subscription.harness';

const NUL = 'contains U+0000 (NUL), which cannot be stored';
const SURROGATE = 'contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF), which cannot be stored';

describe('text Postgres cannot store is refused where it enters (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;
  let tenant: TestTenant;
  let endpointId: string;

  beforeAll(async () => {
    harness = await startSubscription();
    tenant = await harness.createTenant('Unstorable text');
    const created = await tenant.call('POST', '/v1/webhooks', {
      url: 'https://example.com/hooks',
      events: ['user.created'],
      metadata: { region: 'eu' },
    });
    expect(created.status).toBe(201);
    endpointId = created.body.id;
  });
  afterAll(() => harness?.close());

  // Bodies are JSON text as a client would send it: `\u0000` and `\ud800` are escapes the server decodes.
  const cases: Array<{
    name: string;
    method: string;
    path: () => string;
    body?: string;
    field: string;
    message: string;
    operator?: boolean;
  }> = [
    {
      name: 'a path parameter of %00',
      method: 'GET',
      path: () => '/v1/webhooks/wh_%00',
      field: 'id',
      message: NUL,
    },
    {
      name: 'a query parameter of %00',
      method: 'GET',
      path: () => '/v1/events?starting_after=%00',
      field: 'starting_after',
      message: NUL,
    },
    {
      name: 'a query filter of a delivery log',
      method: 'GET',
      path: () => `/v1/webhooks/${endpointId}/deliveries?status=failed%00`,
      field: 'status',
      message: NUL,
    },
    {
      name: 'a query parameter name',
      method: 'GET',
      path: () => '/v1/webhooks?limit=5&x%00=1',
      field: 'x\\u0000',
      message: 'is a key that contains U+0000 (NUL), which cannot be stored',
    },
    {
      name: 'a created[gte] filter',
      method: 'GET',
      path: () => '/v1/events?created[gte]=2024%00',
      field: 'created[gte]',
      message: NUL,
    },
    {
      name: 'an event id in the path',
      method: 'GET',
      path: () => '/v1/events/evt_%00',
      field: 'id',
      message: NUL,
    },
    {
      name: 'a delivery id to redeliver',
      method: 'POST',
      path: () => '/v1/deliveries/delivery_%00/redeliver',
      field: 'id',
      message: NUL,
    },
    {
      name: 'a description on registration',
      method: 'POST',
      path: () => '/v1/webhooks',
      body: '{"url":"https://example.com/hooks","events":["user.created"],"description":"a\\u0000b"}',
      field: 'description',
      message: NUL,
    },
    {
      name: 'an event type on registration',
      method: 'POST',
      path: () => '/v1/webhooks',
      body: '{"url":"https://example.com/hooks","events":["user.created","\\ud800"]}',
      field: 'events[1]',
      message: SURROGATE,
    },
    {
      name: 'a metadata value in a PATCH',
      method: 'PATCH',
      path: () => `/v1/webhooks/${endpointId}`,
      body: '{"metadata":{"a":"a\\ud800b"}}',
      field: 'metadata.a',
      message: SURROGATE,
    },
    {
      name: 'a header name in a PUT',
      method: 'PUT',
      path: () => `/v1/webhooks/${endpointId}`,
      body: '{"headers":{"X-A\\u0000":"v"}}',
      field: 'headers.X-A\\u0000',
      message: 'is a key that contains U+0000 (NUL), which cannot be stored',
    },
    {
      name: 'test event data',
      method: 'POST',
      path: () => `/v1/webhooks/${endpointId}/test`,
      body: '{"type":"user.created","data":{"id":"usr_1","name":"Ada\\u0000"}}',
      field: 'data.name',
      message: NUL,
    },
    {
      name: 'a recovery window',
      method: 'POST',
      path: () => `/v1/webhooks/${endpointId}/recover`,
      body: '{"since":"2024-01-01T00:00:00Z\\udc00"}',
      field: 'since',
      message: SURROGATE,
    },
    {
      name: 'a rotated secret',
      method: 'POST',
      path: () => `/v1/webhooks/${endpointId}/rotate-secret`,
      body: '{"secret":"secret\\u0000secret"}',
      field: 'secret',
      message: NUL,
    },
    {
      name: 'a tenant name (operator API)',
      method: 'POST',
      path: () => '/v1/admin/tenants',
      body: '{"name":"a\\u0000b"}',
      field: 'name',
      message: NUL,
      operator: true,
    },
    {
      name: 'an API key id (operator API)',
      method: 'DELETE',
      path: () => `/v1/admin/tenants/${tenant.id}/api-keys/key_%00`,
      field: 'keyId',
      message: NUL,
      operator: true,
    },
  ];

  it.each(cases)(
    'answers 422 naming the field, never a 500: $name',
    async ({ method, path, body, field, message, operator }) => {
      const call = operator ? harness.admin : tenant.call;
      const response = await call(method, path(), body);
      expect(response.status).toBe(422);
      expect(response.body).toEqual({
        error: {
          type: 'validation_error',
          message: `Invalid request: ${field} ${message}`,
          fields: [{ field, message }],
        },
      });
    },
  );

  it('changed, stored and queued nothing for the refused requests', async () => {
    const endpoint = await tenant.call('GET', `/v1/webhooks/${endpointId}`);
    expect(endpoint.body).toMatchObject({ version: 1, metadata: { region: 'eu' }, headers: {} });
    const [{ endpoints }] = await harness.dataSource.query(
      'SELECT count(*)::int AS endpoints FROM endpoints WHERE tenant_id = $1',
      [tenant.id],
    );
    expect(endpoints).toBe(1);
    const [{ events }] = await harness.dataSource.query(
      'SELECT count(*)::int AS events FROM events WHERE tenant_id = $1',
      [tenant.id],
    );
    expect(events).toBe(0);
    const tenants = await harness.dataSource.query("SELECT id FROM tenants WHERE name LIKE 'a%b'");
    expect(tenants).toEqual([]);
  });

  it('names every bad field of a request at once, path, query and body', async () => {
    const response = await tenant.call(
      'PATCH',
      '/v1/webhooks/wh_%00?note=%00',
      '{"description":"\\u0000","metadata":{"a":"\\ud800"}}',
    );
    expect(response.status).toBe(422);
    expect(response.body.error.fields).toEqual([
      { field: 'id', message: NUL },
      { field: 'note', message: NUL },
      { field: 'description', message: NUL },
      { field: 'metadata.a', message: SURROGATE },
    ]);
  });

  it('checks credentials first: without a key the answer is 401', async () => {
    const response = await harness.withAuthorization(undefined)('GET', '/v1/webhooks/wh_%00');
    expect(response.status).toBe(401);
  });

  it('answers a path that is not valid percent-encoded UTF-8 with 400, not a 500', async () => {
    // The UTF-8 bytes of a lone surrogate cannot be decoded, so they never become one.
    const response = await tenant.call('GET', '/v1/webhooks/wh_%ED%A0%80');
    expect(response.status).toBe(400);
    expect(response.body.error.type).toBe('invalid_request');
  });

  it('still accepts the same requests with storable text, surrogate pairs included', async () => {
    const tap = await harness.tap(DELIVERY_TASKS_TOPIC);
    const patched = await tenant.call('PATCH', `/v1/webhooks/${endpointId}`, {
      description: 'caf\u00e9 \ud83d\ude00',
    });
    expect(patched.status).toBe(200);
    expect(patched.body.description).toBe('caf\u00e9 \ud83d\ude00');
    const test = await tenant.call('POST', `/v1/webhooks/${endpointId}/test`, {
      type: 'user.created',
      data: { id: 'usr_1', name: 'Ada \ud83d\ude00' },
    });
    expect(test.status).toBe(202);
    expect((await tap.read()).filter((record) => record.key === endpointId)).toHaveLength(1);
  });
});
