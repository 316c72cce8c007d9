import type { DataSource, EntityManager } from 'typeorm';
import { BatchWriter } from './batch-writer';
import { withDayPartitions } from '../retention/day-partitions';

/** An event as it is stored for the events API and for later attempts (retries, redeliveries). */
export interface EventRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly type: string;
  readonly apiVersion: string;
  readonly createdAt: Date;
  readonly livemode: boolean;
  /** The envelope without `pending_webhooks`. */
  readonly payload: Record<string, unknown>;
  readonly requestId: string | null;
  readonly idempotencyKey: string | null;
}

/** Who claims attempts, for how long, and how claims are batched. */
export interface DeliveryClaimsOptions {
  /** Identifies this dispatcher process; a restarted process is a new owner. */
  readonly owner: string;
  /**
   * How long a claim holds: longer than an attempt can take (its wait for a slot, the request, the
   * recording). A claim older than this belongs to a process presumed dead and may be taken over.
   */
  readonly leaseMs: number;
  /** Most fan-outs per database batch. */
  readonly maxBatchRows?: number;
  /** Longest wait before a partial batch is written while another is being written. */
  readonly flushIntervalMs?: number;
  readonly onBatchWritten?: (rows: number, seconds: number) => void;
}

/** Why an attempt may or may not be made by the caller. */
export type ClaimVerdict =
  /** The caller owns the attempt now: send it. */
  | { readonly kind: 'claimed' }
  /** The attempt was already made, or the delivery is finished: nothing to send. */
  | { readonly kind: 'settled' }
  /**
   * Another process is making the attempt now. `sameMessage` when it is working on this very message
   * (a partition that moved to this process while the other still runs it).
   */
  | { readonly kind: 'claimed-elsewhere'; readonly sameMessage: boolean }
  /** The delivery waits for a later time (deferred, or its retry is not due): this message is early. */
  | { readonly kind: 'not-due' }
  /** No such delivery is stored. */
  | { readonly kind: 'missing' };

/** The first attempts of one event: the event row and a claim on each of its deliveries. */
export interface FanOutClaim {
  readonly event: EventRecord;
  readonly deliveries: ReadonlyArray<{ readonly deliveryId: string; readonly endpointId: string }>;
  /** The message the fan-out comes from (`topic/partition/offset`). */
  readonly token: string;
}

/** One later attempt of one delivery (a retry, a redelivery, a test event). */
export interface AttemptClaim {
  readonly deliveryId: string;
  readonly tenantId: string;
  readonly attempt: number;
  /** The message the attempt comes from. */
  readonly token: string;
}

// A retry released by another machine's clock may arrive this much before the due time the
// dispatcher stored; earlier than that it is a stray copy, not the retry.
const DUE_TOLERANCE_MS = 5_000;

interface StateRow {
  id: string;
  status: string;
  attempt_count: number;
  claim_token: string | null;
  live: boolean;
  early: boolean;
}

/**
 * Claims on delivery rows: taken before a request is sent, so each attempt of a delivery is sent by
 * one process for one message, and any other message asking for the same attempt — a replayed
 * offset after a rebalance or crash, a retry task duplicated by a crash, a republished event — is
 * recognised. Recording the attempt (BatchingAttemptRecorder) releases the claim.
 *
 * The first attempts of an event are claimed in the same transaction that stores the event, so the
 * event row is durable before any delivery or retry refers to it.
 */
export class DeliveryClaims {
  private readonly fanOuts: BatchWriter<FanOutClaim, Map<string, ClaimVerdict>>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: DeliveryClaimsOptions,
  ) {
    this.fanOuts = new BatchWriter(
      (claims) =>
        withDayPartitions(
          dataSource,
          () => claims.map((claim) => claim.event.createdAt.getTime()),
          () => dataSource.transaction((manager) => this.writeFanOuts(manager, claims)),
        ),
      {
        maxBatchRows: Math.max(1, options.maxBatchRows ?? 500),
        flushIntervalMs: Math.max(0, options.flushIntervalMs ?? 20),
        ...(options.onBatchWritten ? { onBatchWritten: options.onBatchWritten } : {}),
      },
    );
  }

  /** Stores the event (once) and claims the first attempt of each delivery; a verdict per delivery id. */
  claimFanOut(claim: FanOutClaim): Promise<Map<string, ClaimVerdict>> {
    return this.fanOuts.add(claim);
  }

  /** Claims attempt `attempt` of an existing delivery. */
  async claimAttempt(claim: AttemptClaim): Promise<ClaimVerdict> {
    // A SELECT around the UPDATE: TypeORM answers a bare UPDATE with [rows, count], not rows.
    const claimed: Array<{ id: string }> = await this.dataSource.query(
      `WITH claimed AS (UPDATE deliveries d SET claimed_by = $4, claim_token = $5,
         claimed_until = now() + $6 * interval '1 millisecond', updated_at = now()
       WHERE d.id = $1 AND d.tenant_id = $2 AND d.status IN ('pending', 'awaiting_retry')
         AND d.attempt_count = $3 - 1
         AND COALESCE(d.next_attempt_at, now()) <= now() + $7 * interval '1 millisecond'
         AND (d.claimed_until IS NULL OR d.claimed_until < now()
              OR (d.claimed_by = $4 AND d.claim_token = $5))
       RETURNING d.id)
       SELECT id FROM claimed`,
      [
        claim.deliveryId,
        claim.tenantId,
        claim.attempt,
        this.options.owner,
        claim.token,
        this.options.leaseMs,
        DUE_TOLERANCE_MS,
      ],
    );
    if (claimed.length > 0) return { kind: 'claimed' };
    const [state] = await this.states(this.dataSource.manager, [claim.deliveryId], claim.tenantId);
    return state ? verdictOf(state, claim.attempt, claim.token) : { kind: 'missing' };
  }

  /** Writes what is queued and refuses further claims. */
  close(): Promise<void> {
    return this.fanOuts.close();
  }

  private async writeFanOuts(
    manager: EntityManager,
    claims: FanOutClaim[],
  ): Promise<Array<Map<string, ClaimVerdict>>> {
    // One row per (tenant, event): a statement may not touch the same row twice.
    const events = [
      ...new Map(claims.map((c) => [`${c.event.tenantId}\u0000${c.event.id}`, c.event])).values(),
    ];
    await manager.query(
      `INSERT INTO events (id, tenant_id, type, api_version, created_at, livemode, payload, request_id,
         idempotency_key, day)
       SELECT u.*, (u.created_at AT TIME ZONE 'UTC')::date
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::boolean[],
         $7::jsonb[], $8::text[], $9::text[])
         AS u(id, tenant_id, type, api_version, created_at, livemode, payload, request_id, idempotency_key)
       ON CONFLICT (tenant_id, id, day) DO NOTHING`,
      [
        events.map((e) => e.id),
        events.map((e) => e.tenantId),
        events.map((e) => e.type),
        events.map((e) => e.apiVersion),
        events.map((e) => e.createdAt),
        events.map((e) => e.livemode),
        events.map((e) => JSON.stringify(e.payload)),
        events.map((e) => e.requestId),
        events.map((e) => e.idempotencyKey),
      ],
    );

    // The first message to ask for a delivery in this batch claims it; later copies get its verdict.
    const rows = new Map<string, { tenantId: string; endpointId: string; eventId: string; token: string }>();
    for (const claim of claims) {
      for (const delivery of claim.deliveries) {
        if (!rows.has(delivery.deliveryId)) {
          rows.set(delivery.deliveryId, {
            tenantId: claim.event.tenantId,
            endpointId: delivery.endpointId,
            eventId: claim.event.id,
            token: claim.token,
          });
        }
      }
    }
    // Rows are locked in id order so that concurrent writers cannot deadlock.
    const ids = [...rows.keys()].sort();
    const claimed = new Set<string>();
    if (ids.length > 0) {
      const returned: Array<{ id: string }> = await manager.query(
        `INSERT INTO deliveries AS d (id, tenant_id, endpoint_id, event_id, status, attempt_count,
           next_attempt_at, claimed_by, claim_token, claimed_until)
         SELECT u.id, u.tenant_id, u.endpoint_id, u.event_id, 'pending', 0, now(), $6, u.token,
           now() + $7 * interval '1 millisecond'
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
           AS u(id, tenant_id, endpoint_id, event_id, token)
         ON CONFLICT (id) DO UPDATE SET claimed_by = excluded.claimed_by, claim_token = excluded.claim_token,
           claimed_until = excluded.claimed_until, updated_at = now()
         WHERE d.status IN ('pending', 'awaiting_retry') AND d.attempt_count = 0
           AND COALESCE(d.next_attempt_at, now()) <= now() + $8 * interval '1 millisecond'
           AND (d.claimed_until IS NULL OR d.claimed_until < now()
                OR (d.claimed_by = excluded.claimed_by AND d.claim_token = excluded.claim_token))
         RETURNING d.id`,
        [
          ids,
          ids.map((id) => rows.get(id)!.tenantId),
          ids.map((id) => rows.get(id)!.endpointId),
          ids.map((id) => rows.get(id)!.eventId),
          ids.map((id) => rows.get(id)!.token),
          this.options.owner,
          this.options.leaseMs,
          DUE_TOLERANCE_MS,
        ],
      );
      for (const { id } of returned) claimed.add(id);
    }
    const unclaimed = ids.filter((id) => !claimed.has(id));
    const states = new Map(
      (unclaimed.length > 0 ? await this.states(manager, unclaimed) : []).map((s) => [s.id, s]),
    );

    return claims.map((claim) => {
      const verdicts = new Map<string, ClaimVerdict>();
      for (const { deliveryId } of claim.deliveries) {
        const first = rows.get(deliveryId)!;
        if (claimed.has(deliveryId) && first.token === claim.token && first.eventId === claim.event.id) {
          verdicts.set(deliveryId, { kind: 'claimed' });
        } else if (claimed.has(deliveryId)) {
          // Another copy of the same event in this very batch took it.
          verdicts.set(deliveryId, { kind: 'claimed-elsewhere', sameMessage: false });
        } else {
          const state = states.get(deliveryId);
          verdicts.set(deliveryId, state ? verdictOf(state, 1, claim.token) : { kind: 'missing' });
        }
      }
      return verdicts;
    });
  }

  private states(manager: EntityManager, ids: readonly string[], tenantId?: string): Promise<StateRow[]> {
    return manager.query(
      `SELECT id, status, attempt_count, claim_token,
         (claimed_until IS NOT NULL AND claimed_until >= now()) AS live,
         (COALESCE(next_attempt_at, now()) > now() + $2 * interval '1 millisecond') AS early
       FROM deliveries WHERE id = ANY($1::text[])${tenantId === undefined ? '' : ' AND tenant_id = $3'}`,
      tenantId === undefined ? [ids, DUE_TOLERANCE_MS] : [ids, DUE_TOLERANCE_MS, tenantId],
    );
  }
}

function verdictOf(state: StateRow, attempt: number, token: string): ClaimVerdict {
  if (!['pending', 'awaiting_retry'].includes(state.status) || state.attempt_count >= attempt) {
    return { kind: 'settled' };
  }
  if (state.live) return { kind: 'claimed-elsewhere', sameMessage: state.claim_token === token };
  if (state.early) return { kind: 'not-due' };
  // Behind in the count (an attempt before this one is still to be made): this message is a stray.
  return { kind: 'settled' };
}
