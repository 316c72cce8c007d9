import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintOpenApiDocument } from '@hookline/testing';
import { type Json, startSubscription, type SubscriptionHarness } from './support/subscription.harness';

// The reference kept in the repository; regenerate it with HOOKLINE_WRITE_OPENAPI=1.
const CHECKED_IN = join(__dirname, '..', '..', '..', 'docs', 'openapi.json');

describe('OpenAPI document (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;

  beforeAll(async () => {
    harness = await startSubscription();
  });
  afterAll(() => harness?.close());

  it('serves Swagger UI at /docs', async () => {
    const page = await fetch(`${harness.service.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('swagger-ui');
    const bundle = await fetch(`${harness.service.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
  });

  it('serves a document covering every operation of the API', async () => {
    const response = await fetch(`${harness.service.url}/docs/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as Json;
    expect(document.openapi).toBe('3.0.0');
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'POST /v1/webhooks',
        'GET /v1/webhooks',
        'GET /v1/webhooks/{id}',
        'PUT /v1/webhooks/{id}',
        'PATCH /v1/webhooks/{id}',
        'DELETE /v1/webhooks/{id}',
        'POST /v1/webhooks/{id}/rotate-secret',
        'GET /v1/webhooks/{id}/secret',
        'POST /v1/webhooks/{id}/test',
        'POST /v1/webhooks/{id}/recover',
        'GET /v1/webhooks/{id}/deliveries',
        'GET /v1/webhooks/{id}/stats',
        'GET /v1/deliveries',
        'GET /v1/deliveries/{id}',
        'POST /v1/deliveries/{id}/redeliver',
        'GET /v1/event-types',
        'GET /v1/events',
        'GET /v1/events/{id}',
        'GET /v1/events/{id}/deliveries',
        'POST /v1/events/{id}/expunge',
        'POST /v1/admin/tenants',
        'PUT /v1/admin/tenants/{id}/retention',
        'POST /v1/admin/tenants/{id}/events/{eventId}/expunge',
        'POST /v1/admin/tenants/{id}/api-keys',
        'GET /v1/admin/tenants/{id}/api-keys',
        'DELETE /v1/admin/tenants/{id}/api-keys/{keyId}',
        'POST /v1/admin/endpoints/republish',
        'POST /v1/admin/tenants/{id}/portal-sessions',
        'GET /v1/admin/tenants',
        'GET /v1/admin/tenants/{id}',
        'PATCH /v1/admin/tenants/{id}',
        'DELETE /v1/admin/tenants/{id}',
        'POST /v1/admin/tenants/{id}/disable',
        'POST /v1/admin/tenants/{id}/enable',
        'POST /v1/admin/operator-keys',
        'GET /v1/admin/operator-keys',
        'DELETE /v1/admin/operator-keys/{keyId}',
      ].sort(),
    );
    const create = document.paths['/v1/webhooks'].post;
    expect(create.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CreateWebhookDto',
    });
    expect(create.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/WebhookWithSecretDto',
    });
    expect(create.responses['422'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorBodyDto',
    });
    expect(create.security).toEqual([{ 'api-key': [] }]);
    const listQuery = document.paths['/v1/webhooks/{id}/deliveries'].get.parameters.map(
      (p: { name: string }) => p.name,
    );
    expect(listQuery).toEqual(
      expect.arrayContaining(['limit', 'starting_after', 'created[gte]', 'created[lte]', 'status', 'type']),
    );
    const allQuery = document.paths['/v1/deliveries'].get.parameters.map((p: { name: string }) => p.name);
    expect(allQuery.sort()).toEqual(
      [...listQuery.filter((name: string) => name !== 'id'), 'endpoint_id'].sort(),
    );
    expect(document.components.schemas.CreateWebhookDto.required).toEqual(['url', 'events']);
  });

  it('gives generators named types, the enforced limits, servers, opaque bearer schemes, a licence and tags', async () => {
    const document = (await (await fetch(`${harness.service.url}/docs/openapi.json`)).json()) as Json;
    const schemas = document.components.schemas;
    expect(document.servers.length).toBeGreaterThan(0);
    expect(document.info.license).toEqual({
      name: 'Apache-2.0',
      url: 'https://www.apache.org/licenses/LICENSE-2.0',
    });
    const operationTags = Object.values(document.paths as Record<string, Record<string, Json>>).flatMap(
      (item) => Object.values(item).flatMap((operation) => operation.tags),
    );
    expect(document.tags.map((tag: Json) => tag.name).sort()).toEqual([...new Set(operationTags)].sort());
    expect(document.components.securitySchemes).toEqual({
      'api-key': { type: 'http', scheme: 'bearer', description: expect.stringContaining('opaque') },
      'admin-token': { type: 'http', scheme: 'bearer', description: expect.stringContaining('opaque') },
    });

    // One plain type per deployment: ISO 8601 under the default preset.
    expect(schemas.CreatedTime).toMatchObject({ type: 'string', format: 'date-time' });
    for (const name of [
      'WebhookDto',
      'DeliveryDto',
      'EventDto',
      'TenantDto',
      'ApiKeyDto',
      'OperatorKeyDto',
    ]) {
      expect(schemas[name].properties.created).toEqual({ $ref: '#/components/schemas/CreatedTime' });
    }
    expect(schemas.WebhookDto.properties.updated).toEqual({ $ref: '#/components/schemas/CreatedTime' });
    const numbers = Object.entries(schemas as Record<string, Json>).flatMap(([name, schema]) =>
      Object.entries((schema.properties ?? {}) as Record<string, Json>)
        .filter(([, property]) => property.type === 'number')
        .map(([property]) => `${name}.${property}`),
    );
    // Counts are integers; the one fraction is a success rate.
    expect(numbers.sort()).toEqual([
      'EndpointStatsBucketDto.success_rate',
      'EndpointStatsCountsDto.success_rate',
    ]);
    expect(schemas.WebhookDto.properties.version).toMatchObject({ type: 'integer' });
    expect(schemas.DeliveryDto.properties.attempt_count).toMatchObject({ type: 'integer' });
    expect(schemas.QueuedDeliveryDto.properties.attempt).toMatchObject({ type: 'integer' });

    const create = schemas.CreateWebhookDto.properties;
    expect(create.description).toMatchObject({ type: 'string', nullable: true, maxLength: 500 });
    expect(create.url).toMatchObject({ type: 'string', maxLength: 2048 });
    expect(create.events).toMatchObject({ minItems: 1, maxItems: 100 });
    expect(create.metadata).toMatchObject({ maxProperties: 50, additionalProperties: { maxLength: 500 } });
    expect(create.headers).toMatchObject({ maxProperties: 20, additionalProperties: { maxLength: 1000 } });
    // On update every field may be null, and an empty list is "not given", so no minItems.
    const update = schemas.UpdateWebhookDto.properties;
    for (const field of ['url', 'events', 'description', 'metadata', 'headers', 'active', 'clear'])
      expect([field, update[field].nullable]).toEqual([field, true]);
    expect(update.description.type).toBe('string');
    expect(update.events.minItems).toBeUndefined();
    expect(update.clear.items.enum).toEqual(['description', 'metadata', 'headers']);
    expect(schemas.TestEventDto.properties.data).toMatchObject({ type: 'object', nullable: true });
  });

  it('passes the Redocly linter with the recommended-strict rules', async () => {
    const document = await (await fetch(`${harness.service.url}/docs/openapi.json`)).json();
    expect(await lintOpenApiDocument(document)).toEqual([]);
  });

  it('matches the copy checked in at docs/openapi.json', async () => {
    const served = await (await fetch(`${harness.service.url}/docs/openapi.json`)).json();
    const text = `${JSON.stringify(served, null, 2)}\n`;
    if (process.env.HOOKLINE_WRITE_OPENAPI === '1') writeFileSync(CHECKED_IN, text);
    expect(existsSync(CHECKED_IN)).toBe(true);
    // Compared as data, so reformatting the file does not make it stale.
    try {
      expect(JSON.parse(readFileSync(CHECKED_IN, 'utf8'))).toEqual(served);
    } catch (error) {
      throw new Error(
        'docs/openapi.json is stale; regenerate it with ' +
          '`HOOKLINE_WRITE_OPENAPI=1 npx nx test subscription --testPathPatterns openapi`\n' +
          (error as Error).message,
        { cause: error },
      );
    }
  });
});
