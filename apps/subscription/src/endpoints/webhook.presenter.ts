import { type CreatedFormat, renderCreated } from '@hookline/events';
import type { DeletedWebhookDto, WebhookDto, WebhookWithSecretDto } from './webhook.dto';
import type { EndpointView } from './endpoint.view';

/** An endpoint as the REST API shows it. */
export function presentWebhook(endpoint: EndpointView, format: CreatedFormat): WebhookDto {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint',
    url: endpoint.url,
    events: [...endpoint.events],
    description: endpoint.description,
    metadata: { ...endpoint.metadata },
    headers: { ...endpoint.headers },
    active: endpoint.active,
    disabled_reason: endpoint.disabledReason,
    disabled_at: endpoint.disabledAt?.toISOString() ?? null,
    previous_secret_expires_at: endpoint.previousSecretExpiresAt?.toISOString() ?? null,
    version: endpoint.version,
    created: renderCreated(endpoint.createdAt, format),
    updated: renderCreated(endpoint.updatedAt, format),
  };
}

/** An endpoint with its secret, for the answers to creation and rotation only. */
export function presentWebhookWithSecret(
  endpoint: EndpointView,
  secret: string,
  format: CreatedFormat,
): WebhookWithSecretDto {
  return { ...presentWebhook(endpoint, format), secret };
}

/** The answer to a deletion. */
export function presentDeletedWebhook(id: string): DeletedWebhookDto {
  return { id, object: 'webhook_endpoint', deleted: true };
}
