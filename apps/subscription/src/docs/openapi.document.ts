import type { INestApplication } from '@nestjs/common';
import { finishApiDocument, operationId } from '@hookline/observability';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { SubscriptionConfig } from '../config';
import { SubscriptionApiModule } from '../subscription-api.module';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';

const DESCRIPTION = [
  'Manage webhook endpoints, event subscriptions, delivery logs and test events. Tenant calls ' +
    'authenticate with `Authorization: Bearer <API key>`; the operator API (`/v1/admin`) with the ' +
    'operator token. Lists are newest first and paged with `limit` (1–100, default 10) and ' +
    '`starting_after` (the last id of the previous page). Errors share one body: ' +
    '`{ "error": { "type", "message", "fields"? } }`.',
  '**Fields not given.** In a request body, a field that is `null` means the same as an absent one, ' +
    'so clients generated from this document may send every optional field. On `PUT` and `PATCH` ' +
    '`/v1/webhooks/{id}` (both change only the fields given) an empty `events`, `metadata` or ' +
    '`headers` is not given either; a field given is replaced whole, nothing merges, and `clear` ' +
    'empties `description`, `metadata` or `headers`. On a test event, an empty `data` means the ' +
    "type's sample.",
  '**`created`** (schema `CreatedTime`) follows the deployment: unix seconds under the `hackmamba` ' +
    'preset, ISO 8601 otherwise. Each deployment serves the document of its own format at ' +
    '`/docs/openapi.json`.',
].join('\n\n');

/**
 * The OpenAPI document of the public API, generated from the controllers and DTOs. Of the deployment's
 * configuration only the `created` format enters it, as the `CreatedTime` schema.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const { preset } = app.get<SubscriptionConfig>(SUBSCRIPTION_CONFIG, { strict: false });
  const config = new DocumentBuilder()
    .setTitle('Hookline subscription API')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('http://127.0.0.1:3002', 'The subscription service of `npm start`')
    .addServer('{scheme}://{host}', 'A deployment', {
      scheme: { default: 'https', enum: ['https', 'http'] },
      host: { default: '127.0.0.1:3002', description: 'Host and port of the subscription service' },
    })
    .addSecurity('api-key', {
      type: 'http',
      scheme: 'bearer',
      description: 'A tenant API key (`hl_sk_…`): an opaque string minted by the operator API.',
    })
    .addSecurity('admin-token', {
      type: 'http',
      scheme: 'bearer',
      description:
        'The operator token (`SUBSCRIPTION_ADMIN_TOKEN`) or an operator key (`hlo_sk_…`): an opaque string.',
    })
    .addTag('webhooks', 'Webhook endpoints: registration, changes, secret rotation.')
    .addTag('deliveries', 'Delivery logs, redelivery, recovery and test events.')
    .addTag('events', 'The event-type catalogue and stored events.')
    .addTag('admin', 'Operator API: tenants, API keys, operator keys, changelog republish.')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    include: [SubscriptionApiModule],
    operationIdFactory: operationId,
  });
  return finishApiDocument(document, preset.createdFormat);
}
