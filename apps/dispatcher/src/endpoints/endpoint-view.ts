import { matchesEventType } from '@hookline/events';
import type { OpenedEndpointSnapshot } from '@hookline/persistence';

/**
 * The dispatcher's in-memory view of every endpoint, fed by the subscription changelog. Lookups
 * happen once per event, so matches are cached per (tenant, type) and dropped when that tenant's
 * endpoints change. Endpoints are held with their secrets and header values already opened (once per
 * changelog record, not per delivery).
 */
export class EndpointView {
  private readonly byId = new Map<string, OpenedEndpointSnapshot>();
  private readonly byTenant = new Map<string, Map<string, OpenedEndpointSnapshot>>();
  private readonly matches = new Map<string, readonly OpenedEndpointSnapshot[]>();

  /** Applies a new or changed endpoint; a record older than the one held is ignored. */
  upsert(endpoint: OpenedEndpointSnapshot): void {
    const held = this.byId.get(endpoint.id);
    if (held && held.version > endpoint.version) return;
    if (held && held.tenantId !== endpoint.tenantId) this.remove(held.id);
    this.byId.set(endpoint.id, endpoint);
    let tenant = this.byTenant.get(endpoint.tenantId);
    if (!tenant) {
      tenant = new Map();
      this.byTenant.set(endpoint.tenantId, tenant);
    }
    tenant.set(endpoint.id, endpoint);
    this.forgetMatches(endpoint.tenantId);
  }

  /** Removes a deleted endpoint. */
  remove(endpointId: string): void {
    const held = this.byId.get(endpointId);
    if (!held) return;
    this.byId.delete(endpointId);
    const tenant = this.byTenant.get(held.tenantId);
    tenant?.delete(endpointId);
    if (tenant?.size === 0) this.byTenant.delete(held.tenantId);
    this.forgetMatches(held.tenantId);
  }

  /** The endpoint with this id, active or not. */
  get(endpointId: string): OpenedEndpointSnapshot | undefined {
    return this.byId.get(endpointId);
  }

  /** The tenant's active endpoints subscribed to `type` (exact name, `group.*` or `*`), in id order. */
  match(tenantId: string, type: string): readonly OpenedEndpointSnapshot[] {
    const key = `${tenantId}\u0000${type}`;
    const cached = this.matches.get(key);
    if (cached) return cached;
    const tenant = this.byTenant.get(tenantId);
    const found = tenant
      ? [...tenant.values()]
          .filter((e) => e.active && e.events.some((pattern) => matchesEventType(pattern, type)))
          .sort((a, b) => (a.id < b.id ? -1 : 1))
      : [];
    this.matches.set(key, found);
    return found;
  }

  /** Number of endpoints held. */
  get size(): number {
    return this.byId.size;
  }

  private forgetMatches(tenantId: string): void {
    const prefix = `${tenantId}\u0000`;
    for (const key of this.matches.keys()) if (key.startsWith(prefix)) this.matches.delete(key);
  }
}
