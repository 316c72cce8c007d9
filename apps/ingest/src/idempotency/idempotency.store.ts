import { randomUUID } from 'node:crypto';
import { describeFailure } from '@hookline/observability';
import { postgresErrorCode } from '@hookline/persistence';
import type { DataSource, QueryRunner } from 'typeorm';
import { HeldClaim } from './held-claim';

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

/** What a key's events are published as, fixed when the key is first claimed. */
export interface PublishPlan {
  /** Ids of the events the key covers, in request order. */
  readonly eventIds: readonly string[];
  /** When the request was accepted; `created` is rendered from it. */
  readonly acceptedAt: Date;
  /** `request.id` of events that carry none of their own. */
  readonly requestId: string;
}

/** A key some earlier request already owns. */
export interface ExistingKey {
  readonly kind: 'existing';
  readonly eventId: string;
  /** `null` for a key written without a reply; the caller falls back to `eventId`. */
  readonly reply: StoredReply | null;
  readonly requestMatches: boolean;
}

/**
 * The state of one key inside a claim: new to this request, taken over from an owner that stopped
 * renewing its lease (its events may be on Kafka already, so `plan` must be published as it is), or
 * already used.
 */
export type KeyState =
  { readonly kind: 'claimed' } | { readonly kind: 'taken-over'; readonly plan: PublishPlan } | ExistingKey;

/** What a claimed key holds while its events are published, and answers once they are. */
export interface KeyRecord {
  readonly eventId: string;
  readonly reply: StoredReply;
  readonly plan: PublishPlan;
}

/**
 * What the caller made of the keys' states: hold them while it publishes (with what every claimed
 * or taken-over key must record), or drop them because there is nothing to publish.
 */
export type ClaimDecision<H, D> =
  | { readonly kind: 'hold'; readonly value: H; readonly records: ReadonlyMap<string, KeyRecord> }
  | { readonly kind: 'drop'; readonly value: D };

/** How claiming ended. */
export type ClaimOutcome<H, D> =
  | { readonly kind: 'held'; readonly value: H; readonly claim: HeldClaim }
  | { readonly kind: 'dropped'; readonly value: D }
  /** Another live request holds one of the keys and did not finish within the wait. */
  | { readonly kind: 'in-flight'; readonly key: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** Settings of the store. */
export interface IdempotencyStoreOptions {
  /** How long a finished key keeps answering. */
  readonly ttlMs: number;
  /** How long to wait for a concurrent request holding the same key. */
  readonly waitMs: number;
  /** How long a claim outlives its owner's last renewal before another request may take it over. */
  readonly leaseMs: number;
}

interface KeyRow {
  key: string;
  event_id: string;
  request_hash: string;
  response: StoredReply | null;
  state: string;
  lapsed: boolean;
  event_ids: string[] | null;
  accepted_at: Date | null;
  request_id: string | null;
}

/** One step of claiming every key of a request. */
type Attempt<H, D> =
  Exclude<ClaimOutcome<H, D>, { kind: 'in-flight' }> | { readonly kind: 'busy'; readonly key: string };

// Postgres error codes: lock_not_available (our lock_timeout fired) and deadlock_detected.
const LOCK_TIMEOUT = '55P03';
const DEADLOCK = '40P01';
// A claim transaction lasts milliseconds; a row lock held longer belongs to something stuck, and
// waiting on it would hold a pooled connection. Such a key is tried again after a pause.
const MAX_LOCK_WAIT_MS = 200;
const MIN_LOCK_WAIT_MS = 50;
const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 500;

/**
 * Idempotency keys held in Postgres, race-free across ingest instances, without holding a database
 * connection while Kafka is written to.
 *
 * A request claims its keys in one short transaction that commits them as `publishing` under a
 * fresh owner and a lease, together with the event ids, acceptance time and request id it is about
 * to publish. It publishes with no connection held, renewing the lease meanwhile, and then marks the
 * keys `done`. A repeat that finds a key `publishing` polls (briefly taking a connection each time)
 * until the key is done, given back, or its lease has lapsed: an owner that stopped renewing is
 * presumed dead, and the repeat takes the claim over and publishes the stored plan again, so
 * receivers see the records they may already have under the same ids.
 */
export class IdempotencyStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly options: IdempotencyStoreOptions,
  ) {}

  /**
   * Finished, unexpired keys among `claims`, without taking any lock: the cheap path for plain
   * retries, which are far more common than races.
   */
  async lookup(
    tenantId: string,
    claims: readonly KeyClaim[],
  ): Promise<{ kind: 'found'; keys: Map<string, ExistingKey> } | { kind: 'unavailable'; reason: string }> {
    try {
      const rows: KeyRow[] = await this.dataSource.query(
        `SELECT key, event_id, request_hash, response FROM idempotency_keys
         WHERE tenant_id = $1 AND key = ANY($2::text[]) AND expires_at > now() AND state = 'done'`,
        [tenantId, claims.map((claim) => claim.key)],
      );
      return { kind: 'found', keys: new Map(rows.map((row) => [row.key, existingKey(row, claims)])) };
    } catch (error) {
      return { kind: 'unavailable', reason: describeFailure(error) };
    }
  }

  /**
   * Claims every key (or learns its owner), lets `decide` choose from their states, and commits the
   * claims it holds. While another live request holds a key this waits, up to the configured time,
   * without keeping a connection. `decide` runs inside the claim transaction and must not do I/O.
   */
  async claim<H, D>(
    tenantId: string,
    claims: readonly KeyClaim[],
    decide: (states: ReadonlyMap<string, KeyState>) => ClaimDecision<H, D>,
  ): Promise<ClaimOutcome<H, D>> {
    const deadline = Date.now() + this.options.waitMs;
    // A fixed order: two requests sharing several keys then wait on each other instead of deadlocking.
    const ordered = [...claims].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // Kept across attempts: a key that stays busy is looked at less and less often.
    const pause = { ms: FIRST_POLL_MS };
    for (;;) {
      const attempt = await this.attempt(tenantId, ordered, decide, deadline);
      if (attempt.kind !== 'busy') return attempt;
      if (Date.now() >= deadline) return { kind: 'in-flight', key: attempt.key };
      const waited = await this.whileBusy(tenantId, attempt.key, deadline, pause);
      if (waited.kind === 'unavailable') return waited;
    }
  }

  private async attempt<H, D>(
    tenantId: string,
    claims: readonly KeyClaim[],
    decide: (states: ReadonlyMap<string, KeyState>) => ClaimDecision<H, D>,
    deadline: number,
  ): Promise<Attempt<H, D>> {
    const owner = randomUUID();
    const runner = this.dataSource.createQueryRunner();
    let current = '';
    try {
      const states = new Map<string, KeyState>();
      try {
        await runner.connect();
        await runner.startTransaction();
        const lockWaitMs = Math.max(MIN_LOCK_WAIT_MS, Math.min(MAX_LOCK_WAIT_MS, deadline - Date.now()));
        await runner.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockWaitMs}ms`]);
        for (const claim of claims) {
          current = claim.key;
          const state = await this.claimOne(runner, tenantId, claim, owner);
          if (state === 'busy') return { kind: 'busy', key: claim.key };
          states.set(claim.key, state);
        }
      } catch (error) {
        return failedAttempt(error, current);
      }

      const decision = decide(states);
      if (decision.kind === 'drop') return { kind: 'dropped', value: decision.value };
      const held = heldKeys(states, decision.records);
      try {
        await this.record(runner, tenantId, owner, decision.records);
        await runner.commitTransaction();
      } catch (error) {
        return failedAttempt(error, current);
      }
      return {
        kind: 'held',
        value: decision.value,
        claim: new HeldClaim(
          this.dataSource,
          tenantId,
          owner,
          held.fresh,
          held.takenOver,
          this.options.leaseMs,
        ),
      };
    } finally {
      // Whatever was not committed is given back: a dropped or busy attempt leaves no trace.
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release().catch(() => undefined);
    }
  }

  private async claimOne(
    runner: QueryRunner,
    tenantId: string,
    claim: KeyClaim,
    owner: string,
  ): Promise<KeyState | 'busy'> {
    // A key past its retention is a new key: it is claimed in place. The row lock ON CONFLICT takes
    // (whether or not it updates) lets only one racer decide about the key at a time.
    const inserted: Array<{ key: string }> = await runner.query(
      `INSERT INTO idempotency_keys
         (tenant_id, key, event_id, request_hash, response, expires_at, state, owner, lease_expires_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, now() + $6 * interval '1 millisecond', 'publishing', $7,
               now() + $8 * interval '1 millisecond')
       ON CONFLICT (tenant_id, key) DO UPDATE
         SET event_id = excluded.event_id, request_hash = excluded.request_hash,
             response = excluded.response, created_at = now(), expires_at = excluded.expires_at,
             state = excluded.state, owner = excluded.owner, lease_expires_at = excluded.lease_expires_at,
             event_ids = NULL, accepted_at = NULL, request_id = NULL
         WHERE idempotency_keys.expires_at <= now()
       RETURNING key`,
      [
        tenantId,
        claim.key,
        claim.eventId,
        claim.requestHash,
        JSON.stringify(claim.reply),
        this.options.ttlMs,
        owner,
        this.options.leaseMs,
      ],
    );
    if (inserted.length > 0) return { kind: 'claimed' };

    // Read committed: this statement sees the row whose insert we may just have waited for.
    const [row]: KeyRow[] = await runner.query(
      `SELECT key, event_id, request_hash, response, state, lease_expires_at <= now() AS lapsed,
              event_ids, accepted_at, request_id
       FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`,
      [tenantId, claim.key],
    );
    if (!row) throw new Error('idempotency key vanished while being claimed');
    if (row.state !== 'publishing') return existingKey(row, [claim]);
    // A live claim may still be given back, after which this request could publish: wait even when
    // it belongs to a different request.
    if (!row.lapsed) return 'busy';
    if (row.request_hash !== claim.requestHash) return existingKey(row, [claim]);
    if (row.event_ids === null || row.accepted_at === null || row.request_id === null) {
      throw new Error(`idempotency key ${claim.key} is publishing without a plan`);
    }
    return {
      kind: 'taken-over',
      plan: { eventIds: row.event_ids, acceptedAt: row.accepted_at, requestId: row.request_id },
    };
  }

  private async record(
    runner: QueryRunner,
    tenantId: string,
    owner: string,
    records: ReadonlyMap<string, KeyRecord>,
  ): Promise<void> {
    if (records.size === 0) return;
    const rows = [...records].map(([key, record]) => ({
      key,
      event_id: record.eventId,
      response: record.reply,
      event_ids: record.plan.eventIds,
      accepted_at: record.plan.acceptedAt.toISOString(),
      request_id: record.plan.requestId,
    }));
    await runner.query(
      `UPDATE idempotency_keys AS k
       SET state = 'publishing', owner = $2, lease_expires_at = now() + $3 * interval '1 millisecond',
           event_id = r.event_id, response = r.response, event_ids = r.event_ids,
           accepted_at = r.accepted_at, request_id = r.request_id
       FROM jsonb_to_recordset($4::jsonb)
         AS r(key text, event_id text, response jsonb, event_ids text[], accepted_at timestamptz, request_id text)
       WHERE k.tenant_id = $1 AND k.key = r.key`,
      [tenantId, owner, this.options.leaseMs, JSON.stringify(rows)],
    );
  }

  /**
   * Polls, holding a connection only for each look, until `key` is no longer held by a live claim
   * or the deadline passes. A key whose claim transaction is still open looks free; the next attempt
   * then waits for its row lock, briefly.
   */
  private async whileBusy(
    tenantId: string,
    key: string,
    deadline: number,
    pause: { ms: number },
  ): Promise<{ kind: 'free' } | { kind: 'unavailable'; reason: string }> {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return { kind: 'free' };
      await sleep(Math.min(pause.ms, left));
      pause.ms = Math.min(pause.ms * 2, MAX_POLL_MS);
      try {
        const held: unknown[] = await this.dataSource.query(
          `SELECT 1 FROM idempotency_keys
           WHERE tenant_id = $1 AND key = $2 AND state = 'publishing' AND lease_expires_at > now()`,
          [tenantId, key],
        );
        if (held.length === 0) return { kind: 'free' };
      } catch (error) {
        return { kind: 'unavailable', reason: describeFailure(error) };
      }
    }
  }
}

function existingKey(
  row: Pick<KeyRow, 'key' | 'event_id' | 'request_hash' | 'response'>,
  claims: readonly KeyClaim[],
): ExistingKey {
  const claim = claims.find((candidate) => candidate.key === row.key);
  return {
    kind: 'existing',
    eventId: row.event_id,
    reply: row.response,
    requestMatches: claim !== undefined && claim.requestHash === row.request_hash,
  };
}

// Every key this request now holds must say what it records, and no other key may be written.
function heldKeys(
  states: ReadonlyMap<string, KeyState>,
  records: ReadonlyMap<string, KeyRecord>,
): { fresh: string[]; takenOver: string[] } {
  const fresh: string[] = [];
  const takenOver: string[] = [];
  for (const [key, state] of states) {
    if (state.kind === 'existing') continue;
    if (!records.has(key)) throw new Error(`no record given for held idempotency key ${key}`);
    (state.kind === 'claimed' ? fresh : takenOver).push(key);
  }
  const stray = [...records.keys()].find(
    (key) => states.get(key)?.kind !== 'claimed' && states.get(key)?.kind !== 'taken-over',
  );
  if (stray !== undefined)
    throw new Error(`a record was given for idempotency key ${stray}, which is not held`);
  return { fresh, takenOver };
}

function failedAttempt(error: unknown, key: string): Attempt<never, never> {
  const code = postgresErrorCode(error);
  if (code === LOCK_TIMEOUT || code === DEADLOCK) return { kind: 'busy', key };
  return { kind: 'unavailable', reason: describeFailure(error) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
