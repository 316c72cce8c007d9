import type { DataSource } from 'typeorm';

/** Whether a tenant id names an existing tenant. */
export type TenantLookup = { readonly kind: 'known' } | { readonly kind: 'unknown' };

/** Settings of the directory. */
export interface TenantDirectoryOptions {
  /** How long a known tenant is remembered. */
  readonly cacheTtlMs: number;
  /** Upper bound on remembered tenants. */
  readonly maxCacheEntries?: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

/**
 * Checks the tenant named by an ingest-topic record. Known tenants are cached; unknown ones are not,
 * so events sent right after a tenant is created are not refused for the length of a cache entry.
 */
export class TenantDirectory {
  private readonly known = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: TenantDirectoryOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Looks a tenant up; rejects when the database cannot answer. */
  async lookup(tenantId: string): Promise<TenantLookup> {
    const now = this.now();
    const expiresAt = this.known.get(tenantId);
    if (expiresAt !== undefined && expiresAt > now) return { kind: 'known' };
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM tenants WHERE id = $1', [tenantId]);
    if (rows.length === 0) {
      this.known.delete(tenantId);
      return { kind: 'unknown' };
    }
    if (this.known.size >= (this.options.maxCacheEntries ?? 10_000)) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
    this.known.set(tenantId, now + this.options.cacheTtlMs);
    return { kind: 'known' };
  }
}
