import type { EndpointSecret, EndpointSnapshot } from '@hookline/events';
import type { EndpointEntity } from '@hookline/persistence';

/**
 * The changelog's view of an endpoint at `now`: the current secret first, then the rotated-out one
 * with its expiry while it still signs, so receivers keep verifying during a rotation.
 */
export function toEndpointSnapshot(endpoint: EndpointEntity, now: Date): EndpointSnapshot {
  const secrets: EndpointSecret[] = [{ secret: endpoint.secret }];
  const previousExpiresAt = endpoint.previousSecretExpiresAt?.getTime();
  if (endpoint.previousSecret && previousExpiresAt !== undefined && previousExpiresAt > now.getTime()) {
    secrets.push({ secret: endpoint.previousSecret, expiresAt: previousExpiresAt });
  }
  return {
    id: endpoint.id,
    tenantId: endpoint.tenantId,
    url: endpoint.url,
    events: [...endpoint.events],
    active: endpoint.active,
    secrets,
    headers: { ...endpoint.headers },
    version: endpoint.version,
  };
}
