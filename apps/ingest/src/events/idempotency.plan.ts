import type { ExistingKey, KeyClaim, KeyState, StoredReply } from '../idempotency/idempotency.store';
import { requestHash } from '../idempotency/request-hash';
import { fieldInBatch } from './ingest-body.reader';
import {
  type EventRef,
  freshReply,
  type IngestReply,
  type PreparedEvent,
  singleReply,
  type SingleReply,
} from './ingest-reply';

/** An idempotency key and what it covers: the whole request, or one event of a batch. */
export interface PlannedClaim extends KeyClaim {
  /** Where the key came from, for error messages (`Idempotency-Key`, `events[2].request.idempotency_key`). */
  readonly field: string;
  readonly covers: { readonly kind: 'request' } | { readonly kind: 'event'; readonly index: number };
}

/** What a request does, given who owns its keys. */
export type KeyResolution =
  | { readonly kind: 'conflict'; readonly claim: PlannedClaim }
  | { readonly kind: 'replay'; readonly reply: IngestReply; readonly hits: number }
  | {
      readonly kind: 'publish';
      readonly indexes: readonly number[];
      readonly reply: IngestReply;
      readonly hits: number;
    };

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

/** A request-level key stores the final answer, which lists replayed events by their original ids. */
export function requestReplies(
  claims: readonly PlannedClaim[],
  states: ReadonlyMap<string, KeyState>,
  reply: IngestReply,
): Map<string, StoredReply> {
  const replies = new Map<string, StoredReply>();
  for (const claim of claims) {
    if (claim.covers.kind === 'request' && states.get(claim.key)?.kind === 'claimed') {
      replies.set(claim.key, reply);
    }
  }
  return replies;
}

// A key stored without a reply names only its first event; that id is the best answer left.
function replyOf(existing: ExistingKey, prepared: readonly PreparedEvent[], batch: boolean): IngestReply {
  if (existing.reply) return existing.reply as IngestReply;
  const type = prepared[0].raw.type;
  return batch
    ? { data: [{ id: existing.eventId, type }] }
    : { id: existing.eventId, type, created: prepared[0].accepted.event.created };
}
