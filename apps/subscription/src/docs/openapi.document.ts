import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SubscriptionApiModule } from '../subscription-api.module';

/** Where the API reference is served: the UI at `/docs`, the document at `/docs/openapi.json`. */
export const DOCS_PATH = 'docs';
/** Path of the OpenAPI document. */
export const OPENAPI_JSON_PATH = 'docs/openapi.json';

/**
 * The OpenAPI document of the public API, generated from the controllers and DTOs. It does not depend
 * on the deployment's configuration, so the copy kept in the repository matches every deployment.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Hookline subscription API')
    .setDescription(
      'Manage webhook endpoints, event subscriptions, delivery logs and test events. Tenant calls ' +
        'authenticate with `Authorization: Bearer <API key>`; the operator API (`/v1/admin`) with the ' +
        'operator token. Lists are newest first and paged with `limit` (1–100, default 10) and ' +
        '`starting_after` (the last id of the previous page). Errors share one body: ' +
        '`{ "error": { "type", "message", "fields"? } }`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A tenant API key.' }, 'api-key')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The operator token.' }, 'admin-token')
    .build();
  return SwaggerModule.createDocument(app, config, {
    include: [SubscriptionApiModule],
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}
