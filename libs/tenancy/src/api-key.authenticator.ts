import { DataSource } from 'typeorm';
import { bearerToken, hashApiKey } from './api-key';

/** Who a request acts for, or why it is refused. */
export type Authentication =
  | { readonly ok: true; readonly tenantId: string; readonly keyId: string }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'invalid' };

/** Settings of the authenticator. */
export interface ApiKeyAuthenticatorOptions {
  /**
   * How long a lookup is remembered. Bounds both the database load of busy clients and how long a
   * revoked key keeps working on this instance.
   */
  readonly cacheTtlMs: number;
  /** Upper bound on remembered keys, so random keys from an attacker cannot grow memory. */
  readonly maxCacheEntries?: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

interface CacheEntry {
  readonly result: Authentication;
  readonly expiresAt: number;
}

/** Resolves `Authorization: Bearer <key>` to a tenant through `api_keys`, with a short cache. */
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly now: () => number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: ApiKeyAuthenticatorOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Authenticates an `Authorization` header value. */
  async authenticate(authorization: string | undefined): Promise<Authentication> {
    const token = bearerToken(authorization);
    if (!token.ok) return token;
    const hash = hashApiKey(token.token);
    const cached = this.cache.get(hash);
    const now = this.now();
    if (cached && cached.expiresAt > now) return cached.result;
    const rows: Array<{ id: string; tenant_id: string }> = await this.dataSource.query(
      'SELECT id, tenant_id FROM api_keys WHERE hash = $1 AND revoked_at IS NULL',
      [hash],
    );
    const result: Authentication =
      rows.length === 1
        ? { ok: true, tenantId: rows[0].tenant_id, keyId: rows[0].id }
        : { ok: false, reason: 'invalid' };
    this.remember(hash, result, now);
    return result;
  }

  /** Forgets every cached lookup (after a revocation on this instance). */
  invalidate(): void {
    this.cache.clear();
  }

  private remember(hash: string, result: Authentication, now: number): void {
    const max = this.options.maxCacheEntries ?? 10_000;
    if (this.cache.size >= max) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(hash, { result, expiresAt: now + this.options.cacheTtlMs });
  }
}
