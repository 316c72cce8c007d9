import { DataSource } from 'typeorm';
import { apiKeyPrefix, bearerToken, hashApiKey } from './api-key';
import type { ApiKeyUsageRecorder } from './api-key-usage.recorder';
import type { AuthFailureBrake, BrakeSubject } from './auth-failure.brake';

/** Who a request acts for, or why it is refused. */
export type Authentication =
  | { readonly ok: true; readonly tenantId: string; readonly keyId: string }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'invalid' }
  | {
      readonly ok: false;
      readonly reason: 'braked';
      /** Whole seconds until the caller may try again, for `Retry-After`. */
      readonly retryAfterSeconds: number;
    };

/** Where a request comes from, as far as the transport knows. */
export interface CallerContext {
  /** The client's address (after trusted proxies); failures are counted against it. */
  readonly address?: string;
}

/** Settings of the authenticator. */
export interface ApiKeyAuthenticatorOptions {
  /**
   * How long a lookup is remembered. Bounds both the database load of busy clients and how long a
   * revoked key keeps working on this instance.
   */
  readonly cacheTtlMs: number;
  /** Upper bound on remembered valid keys. Only keys that exist get in, so a spray cannot push them out. */
  readonly maxCacheEntries?: number;
  /** Upper bound on remembered invalid keys, kept apart from the valid ones. */
  readonly maxRejectedEntries?: number;
  /** Refuses callers with too many failures; absent, nobody is refused for that. */
  readonly brake?: AuthFailureBrake;
  /** Keeps `last_used_at`; absent, it is not written. */
  readonly usage?: ApiKeyUsageRecorder;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

interface ValidEntry {
  readonly tenantId: string;
  readonly keyId: string;
  readonly expiresAt: number;
}

const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Resolves `Authorization: Bearer <key>` to a tenant through `api_keys`, with a short cache. Valid
 * and invalid keys are cached apart, each bounded: random keys from an attacker fill only the cache
 * of invalid ones, and the valid keys of busy clients keep being answered without the database.
 */
export class ApiKeyAuthenticator {
  private readonly valid = new Map<string, ValidEntry>();
  // Hash → expiry of keys the database did not know.
  private readonly rejected = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: ApiKeyAuthenticatorOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Authenticates an `Authorization` header value. A caller whose address or key prefix is braked is
   * refused without a lookup, unless its key is one this instance already knows to be valid.
   */
  async authenticate(authorization: string | undefined, caller: CallerContext = {}): Promise<Authentication> {
    const token = bearerToken(authorization);
    if (!token.ok && token.reason === 'missing') return token;
    if (!token.ok) return this.refuse({ address: caller.address }, { ok: false, reason: 'malformed' });

    const hash = hashApiKey(token.token);
    const now = this.now();
    const prefix = apiKeyPrefix(token.token);
    const subject: BrakeSubject = { address: caller.address, keyPrefix: prefix };
    const known = this.valid.get(hash);
    if (known && known.expiresAt > now) return this.admit(known, subject);

    const verdict = this.options.brake?.check(subject);
    if (verdict?.kind === 'braked') {
      return { ok: false, reason: 'braked', retryAfterSeconds: verdict.retryAfterSeconds };
    }
    // Not the shape of a minted key: no lookup can find it.
    if (prefix === undefined) return this.refuse(subject, { ok: false, reason: 'invalid' });
    const rejectedUntil = this.rejected.get(hash);
    if (rejectedUntil !== undefined && rejectedUntil > now) {
      return this.refuse(subject, { ok: false, reason: 'invalid' });
    }

    const rows: Array<{ id: string; tenant_id: string }> = await this.dataSource.query(
      'SELECT id, tenant_id FROM api_keys WHERE hash = $1 AND revoked_at IS NULL',
      [hash],
    );
    if (rows.length !== 1) {
      remember(this.rejected, hash, now + this.options.cacheTtlMs, this.maxRejected);
      return this.refuse(subject, { ok: false, reason: 'invalid' });
    }
    this.rejected.delete(hash);
    const entry = {
      tenantId: rows[0].tenant_id,
      keyId: rows[0].id,
      expiresAt: now + this.options.cacheTtlMs,
    };
    remember(this.valid, hash, entry, this.options.maxCacheEntries ?? DEFAULT_MAX_ENTRIES);
    return this.admit(entry, subject);
  }

  /** Forgets every cached lookup (after a revocation on this instance). */
  invalidate(): void {
    this.valid.clear();
    this.rejected.clear();
  }

  /** How many lookups are cached, valid and invalid apart (for tests and metrics). */
  get cached(): { readonly valid: number; readonly rejected: number } {
    return { valid: this.valid.size, rejected: this.rejected.size };
  }

  private get maxRejected(): number {
    return this.options.maxRejectedEntries ?? DEFAULT_MAX_ENTRIES;
  }

  private admit(entry: ValidEntry, subject: BrakeSubject): Authentication {
    this.options.brake?.recordSuccess(subject);
    this.options.usage?.touch(entry.keyId, entry.tenantId);
    return { ok: true, tenantId: entry.tenantId, keyId: entry.keyId };
  }

  private refuse(
    subject: BrakeSubject,
    refusal: { readonly ok: false; readonly reason: 'malformed' | 'invalid' },
  ): Authentication {
    const brake = this.options.brake;
    if (brake) {
      // A malformed header is checked here, as it never reaches the check before the lookup.
      const verdict = refusal.reason === 'malformed' ? brake.check(subject) : undefined;
      if (verdict?.kind === 'braked') {
        return { ok: false, reason: 'braked', retryAfterSeconds: verdict.retryAfterSeconds };
      }
      brake.recordFailure(subject);
    }
    return refusal;
  }
}

// Maps iterate in insertion order: a full map drops its oldest entry.
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}
