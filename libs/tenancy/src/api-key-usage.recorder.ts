import type { DataSource } from 'typeorm';
import type { AuthProtectionConfig } from './auth.config';

/** Settings of the recorder. */
export interface ApiKeyUsageRecorderOptions {
  /** Longest time between two writes of one key's `last_used_at`, and how often pending uses are written. */
  readonly intervalMs: number;
  /** Told when a write fails (the uses stay pending and go with the next one). */
  readonly warn?: (message: string) => void;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
  /** Which keys: tenants' (`api_keys`, the default) or operators' (`operator_keys`, tenant ignored). */
  readonly table?: 'api_keys' | 'operator_keys';
}

interface PendingUse {
  readonly tenantId: string;
  readonly at: number;
}

/**
 * Keeps `api_keys.last_used_at` without a write per request: a key's use is noted at most once per
 * interval and all noted uses are written together, every interval and at shutdown (`stop`). Only
 * keys that authenticated are noted, so memory is bounded by the number of live keys.
 */
export class ApiKeyUsageRecorder {
  private pending = new Map<string, PendingUse>();
  private readonly notedAt = new Map<string, number>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: ApiKeyUsageRecorderOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Notes that `keyId` of `tenantId` authenticated a request now. */
  touch(keyId: string, tenantId: string): void {
    const now = this.now();
    const last = this.notedAt.get(keyId);
    if (last !== undefined && now - last < this.options.intervalMs) return;
    this.notedAt.set(keyId, now);
    this.pending.set(keyId, { tenantId, at: now });
  }

  /** Writes pending uses every interval until `stop`. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.flush(), this.options.intervalMs);
    // A pending write must not keep a stopping process alive; `stop` writes what is left.
    this.timer.unref();
  }

  /** Stops the timer and writes what is pending; call before the database pool closes. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Writes every pending use in one statement; a failed write keeps them for the next one. */
  async flush(): Promise<void> {
    // One write at a time: a second caller waits for the one under way, then writes what came since.
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async write(batch: Map<string, PendingUse>): Promise<void> {
    const uses = [...batch];
    const ids = uses.map(([id]) => id);
    const tenants = uses.map(([, use]) => use.tenantId);
    const times = uses.map(([, use]) => new Date(use.at).toISOString());
    try {
      // GREATEST: another instance may have written a later use already; never move it back.
      if (this.options.table === 'operator_keys') {
        await this.dataSource.query(
          `UPDATE operator_keys AS k
              SET last_used_at = GREATEST(k.last_used_at, u.used_at)
             FROM unnest($1::text[], $2::timestamptz[]) AS u(id, used_at)
            WHERE k.id = u.id`,
          [ids, times],
        );
      } else
        await this.dataSource.query(
          `UPDATE api_keys AS k
            SET last_used_at = GREATEST(k.last_used_at, u.used_at)
           FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(id, tenant_id, used_at)
          WHERE k.id = u.id AND k.tenant_id = u.tenant_id`,
          [ids, tenants, times],
        );
      this.forgetOld();
    } catch (error) {
      for (const [id, use] of batch) if (!this.pending.has(id)) this.pending.set(id, use);
      this.options.warn?.(
        `could not record API key use (${batch.size} keys, kept for the next write): ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  // Keys not noted within the interval may be noted again anyway; dropping them bounds the map to
  // keys in current use.
  private forgetOld(): void {
    const now = this.now();
    for (const [id, at] of this.notedAt) if (now - at >= this.options.intervalMs) this.notedAt.delete(id);
  }
}

/** The recorder a service's `auth` settings ask for (API_KEY_LAST_USED_INTERVAL), telling `warn` of failed writes. */
export function createApiKeyUsageRecorder(
  dataSource: DataSource,
  auth: Pick<AuthProtectionConfig, 'lastUsedIntervalMs'>,
  warn: (message: string) => void,
  table: 'api_keys' | 'operator_keys' = 'api_keys',
): ApiKeyUsageRecorder {
  return new ApiKeyUsageRecorder(dataSource, { intervalMs: auth.lastUsedIntervalMs, warn, table });
}
