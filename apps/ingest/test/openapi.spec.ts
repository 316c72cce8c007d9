import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintOpenApiDocument } from '@hookline/testing';
import { type IngestUnderTest, type Json, startIngest } from './support/ingest.harness';

// The reference kept in the repository; regenerate it with HOOKLINE_WRITE_OPENAPI=1.
const CHECKED_IN = join(__dirname, '..', '..', '..', 'docs', 'ingest.openapi.json');

async function documentOf(ingest: IngestUnderTest): Promise<Json> {
  const response = await fetch(`${ingest.service.url}/docs/openapi.json`);
  expect(response.status).toBe(200);
  return response.json();
}

describe('OpenAPI document of ingest (real Postgres and Kafka)', () => {
  let ingest: IngestUnderTest;

  beforeAll(async () => {
    ingest = await startIngest();
  });
  afterAll(() => ingest?.close());

  it('serves Swagger UI at /docs', async () => {
    const page = await fetch(`${ingest.service.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
  });

  it('describes POST /v1/events with its three body forms, Idempotency-Key and both answers', async () => {
    const document = await documentOf(ingest);
    expect(Object.keys(document.paths)).toEqual(['/v1/events']);
    const operation = document.paths['/v1/events'].post;
    expect(operation.security).toEqual([{ 'api-key': [] }]);
    expect(operation.requestBody.content['application/json'].schema.oneOf).toEqual([
      { $ref: '#/components/schemas/IngestEventDto' },
      { $ref: '#/components/schemas/IngestEventList' },
      { $ref: '#/components/schemas/IngestEventBatchDto' },
    ]);
    const schemas = document.components.schemas;
    expect(schemas.IngestEventList).toMatchObject({ type: 'array', minItems: 1, maxItems: 500 });
    expect(schemas.IngestEventBatchDto.properties.events).toMatchObject({ minItems: 1, maxItems: 500 });
    expect(schemas.IngestEventDto.required).toEqual(['type', 'data']);
    expect(operation.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
        expect.objectContaining({ name: 'X-Request-Id', in: 'header', required: false }),
      ]),
    );
    const accepted = operation.responses['202'];
    expect(accepted.content['application/json'].schema.oneOf).toEqual([
      { $ref: '#/components/schemas/AcceptedEventDto' },
      { $ref: '#/components/schemas/AcceptedBatchDto' },
    ]);
    expect(Object.keys(accepted.headers)).toEqual(['Idempotent-Replayed']);
    expect(Object.keys(operation.responses).sort()).toEqual(
      ['202', '400', '401', '409', '413', '415', '422', '429', '503'].sort(),
    );
    expect(schemas.AcceptedEventDto.properties.created).toEqual({ $ref: '#/components/schemas/CreatedTime' });
    expect(schemas.CreatedTime).toMatchObject({ type: 'string', format: 'date-time' });
    expect(document.components.securitySchemes).toEqual({
      'api-key': { type: 'http', scheme: 'bearer', description: expect.stringContaining('opaque') },
    });
    expect(document.servers.length).toBeGreaterThan(0);
    expect(document.info.license.name).toBe('Apache-2.0');
    expect(document.tags.map((tag: Json) => tag.name)).toEqual(['events']);
  });

  it('passes the Redocly linter with the recommended-strict rules', async () => {
    expect(await lintOpenApiDocument(await documentOf(ingest))).toEqual([]);
  });

  it('follows the deployment: unix created and its batch limit', async () => {
    const other = await startIngest({
      shareWith: ingest,
      env: { HOOKLINE_PRESET: 'hackmamba', INGEST_MAX_BATCH: '20' },
    });
    try {
      const document = await documentOf(other);
      expect(document.components.schemas.CreatedTime).toMatchObject({ type: 'integer', format: 'int64' });
      expect(document.components.schemas.IngestEventList.maxItems).toBe(20);
    } finally {
      await other.close();
    }
  });

  it('matches the copy checked in at docs/ingest.openapi.json', async () => {
    const served = await documentOf(ingest);
    if (process.env.HOOKLINE_WRITE_OPENAPI === '1')
      writeFileSync(CHECKED_IN, `${JSON.stringify(served, null, 2)}\n`);
    expect(existsSync(CHECKED_IN)).toBe(true);
    try {
      expect(JSON.parse(readFileSync(CHECKED_IN, 'utf8'))).toEqual(served);
    } catch (error) {
      throw new Error(
        'docs/ingest.openapi.json is stale; regenerate it with ' +
          '`HOOKLINE_WRITE_OPENAPI=1 npx nx test ingest --testPathPatterns openapi`\n' +
          (error as Error).message,
        { cause: error },
      );
    }
  });
});
