import type { EndpointSnapshot } from '@hookline/events';
import type { EndpointEntity } from '../entities/endpoint.entity';

/**
 * The changelog snapshot of a stored endpoint: the current secret first, then the previous one
 * while its rotation window lasts. Every writer of endpoints publishes through this, so the
 * dispatcher's view is built the same way whoever changed the endpoint.
 */
export function endpointSnapshot(endpoint: EndpointEntity, now: Date = new Date()): EndpointSnapshot {
  const previousValid =
    endpoint.previousSecret !== null &&
    endpoint.previousSecretExpiresAt !== null &&
    endpoint.previousSecretExpiresAt.getTime() > now.getTime();
  return {
    id: endpoint.id,
    tenantId: endpoint.tenantId,
    url: endpoint.url,
    events: [...endpoint.events],
    active: endpoint.active,
    secrets: [
      { secret: endpoint.secret },
      ...(previousValid
        ? [
            {
              secret: endpoint.previousSecret as string,
              expiresAt: (endpoint.previousSecretExpiresAt as Date).getTime(),
            },
          ]
        : []),
    ],
    headers: { ...(endpoint.headers ?? {}) },
    version: Number(endpoint.version),
  };
}
