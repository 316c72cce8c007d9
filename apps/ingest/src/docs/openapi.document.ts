import type { INestApplication } from '@nestjs/common';
import { finishApiDocument, operationId } from '@hookline/observability';
import { DocumentBuilder, type OpenAPIObject, type SchemaObject, SwaggerModule } from '@nestjs/swagger';
import type { IngestConfig } from '../config';
import { EVENT_LIST_SCHEMA } from '../events/event-intake.decorators';
import { IngestEventBatchDto, IngestEventDto } from '../events/event-intake.dto';
import { EventsModule } from '../events/events.module';

const DESCRIPTION = [
  'Event intake: your services send the domain events Hookline delivers to your customers. Calls ' +
    'authenticate with a tenant API key, `Authorization: Bearer <API key>`. Errors share one body: ' +
    '`{ "error": { "type", "message", "fields"? } }`.',
  'Endpoints, subscriptions, delivery logs and the event-type catalogue are in the subscription ' +
    "API's document.",
  '**`created`** (schema `CreatedTime`) follows the deployment: unix seconds under the `hackmamba` ' +
    'preset, ISO 8601 otherwise; `maxItems` of a batch is its `INGEST_MAX_BATCH`. Each deployment ' +
    'serves its own document at `/docs/openapi.json`.',
].join('\n\n');

/**
 * The OpenAPI document of `POST /v1/events`, generated from the controller's decorators. Of the
 * deployment's configuration only the `created` format and the batch limit enter it.
 */
export function buildOpenApiDocument(app: INestApplication, config: IngestConfig): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Hookline ingest API')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('http://127.0.0.1:3001', 'The ingest service of `npm start`')
    .addServer('{scheme}://{host}', 'A deployment', {
      scheme: { default: 'https', enum: ['https', 'http'] },
      host: { default: '127.0.0.1:3001', description: 'Host and port of the ingest service' },
    })
    .addSecurity('api-key', {
      type: 'http',
      scheme: 'bearer',
      description: 'A tenant API key (`hl_sk_…`): an opaque string minted by the operator API.',
    })
    .addTag('events', 'Event intake.')
    .build();
  const document = SwaggerModule.createDocument(app, builder, {
    include: [EventsModule],
    operationIdFactory: operationId,
  });
  const schemas: Record<string, SchemaObject> = ((document.components ??= {}).schemas ??= {}) as Record<
    string,
    SchemaObject
  >;
  const maxItems = config.intake.maxBatch;
  schemas[EVENT_LIST_SCHEMA] = {
    type: 'array',
    items: { $ref: `#/components/schemas/${IngestEventDto.name}` },
    minItems: 1,
    maxItems,
    description: 'A batch in its array form, accepted all or none.',
  };
  const batch = schemas[IngestEventBatchDto.name];
  if (batch?.properties?.events) batch.properties.events = { ...batch.properties.events, maxItems };
  return finishApiDocument(document, config.preset.createdFormat);
}
