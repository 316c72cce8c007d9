import type { ExistingKey, KeyClaim, KeyRecord, KeyState } from '../idempotency/idempotency.store';
import { requestHash } from '../idempotency/request-hash';
import { fieldInBatch } from './ingest-body.reader';
import {
  type Acceptance,
  type EventRef,
  freshReply,
  type IngestReply,
  type PreparedEvent,
  replyIds,
  singleReply,
  type SingleReply,
} from './ingest-reply';

/** An idempotency key and what it covers: the whole request, or one event of a batch. */
export interface PlannedClaim extends KeyClaim {
  /** Where the key came from, for error messages (`Idempotency-Key`, `events[2].request.idempotency_key`). */
  readonly field: string;
  readonly covers: { readonly kind: 'request' } | { readonly kind: 'event'; readonly index: number };
}

/** A request publishes the events at `indexes` and answers `reply`. */
export interface PublishResolution {
  readonly kind: 'publish';
  readonly indexes: readonly number[];
  readonly reply: IngestReply;
  readonly hits: number;
}

/** What a request does, given who owns its keys. */
export type KeyResolution =
  | { readonly kind: 'conflict'; readonly claim: PlannedClaim }
  | { readonly kind: 'replay'; readonly reply: IngestReply; readonly hits: number }
  | PublishResolution;

/** The id and acceptance an event is published with. */
export interface EventIdentity {
  readonly id: string;
  readonly acceptance: Acceptance;
}

/** Identities of a request's events, and the acceptance its request-level key records. */
export interface RequestIdentities {
  readonly request: Acceptance;
  readonly events: readonly EventIdentity[];
}

/**
 * The keys a request must own. A single event has at most one (the header, or the event's own key,
 * which must then agree with it); a batch may have one for the whole request plus one per event.
 */
export function planClaims(
  prepared: readonly PreparedEvent[],
  batch: boolean,
  requestKey: string | undefined,
): PlannedClaim[] {
  if (!batch) {
    const [event] = prepared;
    const key = requestKey ?? event.raw.request?.idempotency_key ?? undefined;
    if (key === undefined) return [];
    return [
      {
        key,
        field: requestKey !== undefined ? 'Idempotency-Key' : 'request.idempotency_key',
        covers: { kind: 'request' },
        requestHash: requestHash('event', event.raw),
        eventId: event.accepted.event.id,
        reply: singleReply(event),
      },
    ];
  }
  const claims: PlannedClaim[] = [];
  if (requestKey !== undefined) {
    claims.push({
      key: requestKey,
      field: 'Idempotency-Key',
      covers: { kind: 'request' },
      requestHash: requestHash(
        'batch',
        prepared.map((event) => event.raw),
      ),
      eventId: prepared[0].accepted.event.id,
      reply: freshReply(prepared, true),
    });
  }
  prepared.forEach((event, index) => {
    const key = event.raw.request?.idempotency_key;
    if (key == null) return;
    claims.push({
      key,
      field: fieldInBatch(index, 'request.idempotency_key'),
      covers: { kind: 'event', index },
      requestHash: requestHash('event', event.raw),
      eventId: event.accepted.event.id,
      reply: singleReply(event),
    });
  });
  return claims;
}

/**
 * Decides what a request does given who owns its keys: a key owned by a different request is a
 * conflict; a request-level key owned by this same request replays its stored answer; an event whose
 * own key is owned is not published again and is answered with its original id. Keys missing from
 * `states` count as free.
 */
export function resolveKeys(
  states: ReadonlyMap<string, KeyState>,
  claims: readonly PlannedClaim[],
  prepared: readonly PreparedEvent[],
  batch: boolean,
): KeyResolution {
  const conflict = claims.find((claim) => {
    const state = states.get(claim.key);
    return state?.kind === 'existing' && !state.requestMatches;
  });
  if (conflict) return { kind: 'conflict', claim: conflict };

  for (const claim of claims) {
    const state = states.get(claim.key);
    if (claim.covers.kind === 'request' && state?.kind === 'existing') {
      return { kind: 'replay', reply: replyOf(state, prepared, batch), hits: 1 };
    }
  }

  const owned = new Map<number, ExistingKey>();
  for (const claim of claims) {
    const state = states.get(claim.key);
    if (claim.covers.kind === 'event' && state?.kind === 'existing') owned.set(claim.covers.index, state);
  }
  const refs = prepared.map((event, index): EventRef => {
    const existing = owned.get(index);
    const id = existing
      ? ((existing.reply as Partial<SingleReply> | null)?.id ?? existing.eventId)
      : event.accepted.event.id;
    return { id, type: event.raw.type };
  });
  const reply: IngestReply = batch ? { data: refs } : singleReply(prepared[0]);
  const indexes = prepared.map((_, index) => index).filter((index) => !owned.has(index));
  return indexes.length === 0
    ? { kind: 'replay', reply, hits: owned.size }
    : { kind: 'publish', indexes, reply, hits: owned.size };
}

/**
 * The identities a request publishes under once it holds its keys. A claim taken over from an owner
 * that died fixed them already, and its events may be on Kafka: an event's own key decides for that
 * event, then the request's key for the rest; whatever no taken-over key covers stays as `fresh`,
 * which is returned as it is when no key was taken over.
 */
export function adoptIdentities(
  claims: readonly PlannedClaim[],
  states: ReadonlyMap<string, KeyState>,
  fresh: RequestIdentities,
): RequestIdentities {
  if (![...states.values()].some((state) => state.kind === 'taken-over')) return fresh;
  let request = fresh.request;
  const events = [...fresh.events];
  const byRequest = claims.find((claim) => claim.covers.kind === 'request');
  const requestState = byRequest && states.get(byRequest.key);
  if (requestState?.kind === 'taken-over') {
    const { plan } = requestState;
    request = { acceptedAt: plan.acceptedAt, requestId: plan.requestId };
    // The hash matched, so the plan lists as many events as the request holds.
    for (const [index, id] of plan.eventIds.entries()) events[index] = { id, acceptance: request };
  }
  for (const claim of claims) {
    const state = states.get(claim.key);
    if (claim.covers.kind !== 'event' || state?.kind !== 'taken-over') continue;
    const { plan } = state;
    events[claim.covers.index] = {
      id: plan.eventIds[0],
      acceptance: { acceptedAt: plan.acceptedAt, requestId: plan.requestId },
    };
  }
  return { request, events };
}

/**
 * What each key the request holds records while its events are published: the final answer (a
 * request-level key lists replayed events by their original ids) and the plan a takeover republishes.
 */
export function keyRecords(
  claims: readonly PlannedClaim[],
  states: ReadonlyMap<string, KeyState>,
  resolution: PublishResolution,
  prepared: readonly PreparedEvent[],
  request: Acceptance,
): Map<string, KeyRecord> {
  const records = new Map<string, KeyRecord>();
  for (const claim of claims) {
    if (states.get(claim.key)?.kind === 'existing') continue;
    if (claim.covers.kind === 'request') {
      records.set(claim.key, {
        eventId: claim.eventId,
        reply: resolution.reply,
        plan: { eventIds: replyIds(resolution.reply), ...request },
      });
    } else {
      const event = prepared[claim.covers.index];
      records.set(claim.key, {
        eventId: event.accepted.event.id,
        reply: singleReply(event),
        plan: { eventIds: [event.accepted.event.id], ...event.acceptance },
      });
    }
  }
  return records;
}

// A key stored without a reply names only its first event; that id is the best answer left.
function replyOf(existing: ExistingKey, prepared: readonly PreparedEvent[], batch: boolean): IngestReply {
  if (existing.reply) return existing.reply as IngestReply;
  const type = prepared[0].raw.type;
  return batch
    ? { data: [{ id: existing.eventId, type }] }
    : { id: existing.eventId, type, created: prepared[0].accepted.event.created };
}
