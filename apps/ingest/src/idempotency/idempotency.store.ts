import { describeFailure } from '@hookline/observability';
import type { DataSource, QueryRunner } from 'typeorm';

/** The answer a key's first request received, replayed verbatim to every repeat. */
export type StoredReply = Readonly<Record<string, unknown>>;

/** A key a request wants to own. */
export interface KeyClaim {
  readonly key: string;
  /** Digest of what the key stands for; a repeat must match it to be a repeat. */
  readonly requestHash: string;
  /** First event the request creates (kept for operators browsing the table). */
  readonly eventId: string;
  /** What a repeat of this request will be answered. */
  readonly reply: StoredReply;
}

/** A key some earlier request already owns. */
export interface ExistingKey {
  readonly kind: 'existing';
  readonly eventId: string;
  /** `null` for a key written without a reply; the caller falls back to `eventId`. */
  readonly reply: StoredReply | null;
  readonly requestMatches: boolean;
}

/** The state of one key inside a claim. */
export type KeyState = { readonly kind: 'claimed' } | ExistingKey;

/**
 * What the work inside a claim decided: keep the claims (replacing the stored reply of some keys, now
 * that the final answer is known), or give them all back.
 */
export type ClaimDecision<T> =
  | { readonly kind: 'commit'; readonly value: T; readonly replies?: ReadonlyMap<string, StoredReply> }
  | { readonly kind: 'release'; readonly value: T };

/** How a claim ended. */
export type ClaimOutcome<T> =
  /** `committed` is false when the work asked to commit but the database lost the claims. */
  | { readonly kind: 'done'; readonly value: T; readonly committed: boolean }
  /** Another request holds one of the keys and did not finish within the wait. */
  | { readonly kind: 'in-flight'; readonly key: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** Settings of the store. */
export interface IdempotencyStoreOptions {
  /** How long a committed key keeps answering. */
  readonly ttlMs: number;
  /** How long to wait for a concurrent request holding the same key. */
  readonly waitMs: number;
}

interface KeyRow {
  key: string;
  event_id: string;
  request_hash: string;
  response: StoredReply | null;
}

// Postgres error codes: lock_not_available (our lock_timeout fired) and deadlock_detected.
const LOCK_TIMEOUT = '55P03';
const DEADLOCK = '40P01';

/**
 * Idempotency keys held in Postgres, race-free across ingest instances.
 *
 * A request claims its keys by inserting them inside a transaction that stays open while its events
 * are published. A concurrent request with the same key blocks on that uncommitted row, so it neither
 * publishes nor answers until the first one is decided: after a commit it sees the stored reply,
 * after a rollback (publish failed, process died) it claims the key itself. No key is ever left
 * claimed by a request whose events were not published.
 */
export class IdempotencyStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly options: IdempotencyStoreOptions,
  ) {}

  /**
   * Committed, unexpired keys among `keys`, without taking any lock: the cheap path for plain
   * retries, which are far more common than races.
   */
  async lookup(
    tenantId: string,
    claims: readonly KeyClaim[],
  ): Promise<{ kind: 'found'; keys: Map<string, ExistingKey> } | { kind: 'unavailable'; reason: string }> {
    try {
      const rows: KeyRow[] = await this.dataSource.query(
        `SELECT key, event_id, request_hash, response FROM idempotency_keys
         WHERE tenant_id = $1 AND key = ANY($2::text[]) AND expires_at > now()`,
        [tenantId, claims.map((claim) => claim.key)],
      );
      return { kind: 'found', keys: new Map(rows.map((row) => [row.key, existingKey(row, claims)])) };
    } catch (error) {
      return { kind: 'unavailable', reason: describeFailure(error) };
    }
  }

  /**
   * Claims every key (or learns its owner) inside one transaction, runs `work` with their states
   * while the claims are held, and commits or releases them as `work` decides.
   */
  async claim<T>(
    tenantId: string,
    claims: readonly KeyClaim[],
    work: (states: ReadonlyMap<string, KeyState>) => Promise<ClaimDecision<T>>,
  ): Promise<ClaimOutcome<T>> {
    let runner: QueryRunner | undefined;
    let states: Map<string, KeyState>;
    let current = '';
    try {
      runner = this.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      await runner.query(`SELECT set_config('lock_timeout', $1, true)`, [`${this.options.waitMs}ms`]);
      states = new Map();
      // A fixed order: two requests sharing several keys then wait on each other instead of deadlocking.
      for (const claim of [...claims].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
        current = claim.key;
        states.set(claim.key, await this.claimOne(runner, tenantId, claim));
      }
    } catch (error) {
      await abandon(runner);
      const code = errorCode(error);
      if (code === LOCK_TIMEOUT || code === DEADLOCK) return { kind: 'in-flight', key: current };
      return { kind: 'unavailable', reason: describeFailure(error) };
    }

    let decision: ClaimDecision<T>;
    try {
      decision = await work(states);
    } catch (error) {
      await abandon(runner);
      throw error;
    }
    if (decision.kind === 'release') {
      await abandon(runner);
      return { kind: 'done', value: decision.value, committed: false };
    }
    try {
      for (const [key, reply] of decision.replies ?? []) {
        await runner.query(
          `UPDATE idempotency_keys SET response = $3::jsonb WHERE tenant_id = $1 AND key = $2`,
          [tenantId, key, JSON.stringify(reply)],
        );
      }
      await runner.commitTransaction();
      return { kind: 'done', value: decision.value, committed: true };
    } catch {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      return { kind: 'done', value: decision.value, committed: false };
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  private async claimOne(runner: QueryRunner, tenantId: string, claim: KeyClaim): Promise<KeyState> {
    // An expired key is taken over in place; the row lock ON CONFLICT takes lets only one racer do so.
    const inserted: KeyRow[] = await runner.query(
      `INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, response, expires_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, now() + $6 * interval '1 millisecond')
       ON CONFLICT (tenant_id, key) DO UPDATE
         SET event_id = excluded.event_id, request_hash = excluded.request_hash,
             response = excluded.response, created_at = now(), expires_at = excluded.expires_at
         WHERE idempotency_keys.expires_at <= now()
       RETURNING key`,
      [
        tenantId,
        claim.key,
        claim.eventId,
        claim.requestHash,
        JSON.stringify(claim.reply),
        this.options.ttlMs,
      ],
    );
    if (inserted.length > 0) return { kind: 'claimed' };
    // Read committed: this statement sees the row whose insert we just waited for.
    const [row]: KeyRow[] = await runner.query(
      `SELECT key, event_id, request_hash, response FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`,
      [tenantId, claim.key],
    );
    if (!row) throw new Error('idempotency key vanished while being claimed');
    return existingKey(row, [claim]);
  }
}

function existingKey(row: KeyRow, claims: readonly KeyClaim[]): ExistingKey {
  const claim = claims.find((candidate) => candidate.key === row.key);
  return {
    kind: 'existing',
    eventId: row.event_id,
    reply: row.response,
    requestMatches: claim !== undefined && claim.requestHash === row.request_hash,
  };
}

async function abandon(runner: QueryRunner | undefined): Promise<void> {
  if (!runner) return;
  if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
  await runner.release().catch(() => undefined);
}

function errorCode(error: unknown): string | undefined {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  if (typeof code === 'string') return code;
  return typeof driverError?.code === 'string' ? driverError.code : undefined;
}
