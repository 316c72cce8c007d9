import type { DataSource } from 'typeorm';

/** What happened to a claim on an idempotency key. */
export type IdempotencyClaim =
  | { kind: 'claimed' }
  /** The key was already used; `requestMatches` says whether by the same request body. */
  | { kind: 'existing'; eventId: string; requestMatches: boolean };

/** A key to claim for a request that would create `eventId`. */
export interface IdempotencyClaimRequest {
  tenantId: string;
  key: string;
  eventId: string;
  /** Hash of the request, to tell a true retry from a different request reusing the key. */
  requestHash: string;
  /** How long the key stays claimed. */
  ttlMs: number;
}

interface ClaimRow {
  event_id: string;
  request_hash: string;
}

/**
 * Makes "create an event at most once per key" race-free across ingest instances: the database
 * decides which of several concurrent requests owns a key, and the others learn its event id.
 */
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Claims the key for the request's event, or reports the event that already owns it. */
  async claim(request: IdempotencyClaimRequest): Promise<IdempotencyClaim> {
    const { tenantId, key, eventId, requestHash, ttlMs } = request;
    // Two steps because RETURNING yields nothing for a conflicting row; a row deleted between them
    // (expired and pruned) makes the insert worth trying again.
    for (let tries = 0; tries < 3; tries += 1) {
      // An expired key is taken over; the row lock ON CONFLICT takes lets only one racer do so.
      const claimed: ClaimRow[] = await this.dataSource.query(
        `INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, expires_at)
         VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')
         ON CONFLICT (tenant_id, key) DO UPDATE
           SET event_id = excluded.event_id, request_hash = excluded.request_hash,
               created_at = now(), expires_at = excluded.expires_at
           WHERE idempotency_keys.expires_at <= now()
         RETURNING event_id, request_hash`,
        [tenantId, key, eventId, requestHash, ttlMs],
      );
      if (claimed.length > 0) return { kind: 'claimed' };
      const existing: ClaimRow[] = await this.dataSource.query(
        `SELECT event_id, request_hash FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`,
        [tenantId, key],
      );
      const [row] = existing;
      if (row)
        return { kind: 'existing', eventId: row.event_id, requestMatches: row.request_hash === requestHash };
    }
    throw new Error('idempotency key kept disappearing while being claimed');
  }

  /**
   * Gives a key back when its event could not be accepted, so the client's retry can succeed.
   * Only the claim for `eventId` is released, never a later owner's.
   */
  async release(tenantId: string, key: string, eventId: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND event_id = $3`,
      [tenantId, key, eventId],
    );
  }

  /** Deletes up to `limit` expired keys; returns how many went. */
  async pruneExpired(limit = 10_000): Promise<number> {
    // For DELETE, TypeORM's raw query answers [rows, affected count].
    const [, deleted]: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM idempotency_keys
       WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1)`,
      [limit],
    );
    return deleted;
  }
}
