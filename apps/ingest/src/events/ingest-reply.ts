import type { AcceptedEvent, RawEvent } from '@hookline/events';
import type { OutboundMessage } from '../kafka/message.publisher';

/** An accepted event as a batch reply lists it. */
export type EventRef = { readonly id: string; readonly type: string };

/** The 202 answer to a single event. */
export type SingleReply = { readonly id: string; readonly type: string; readonly created: number | string };

/** The 202 answer: one event, or every event of a batch in request order. */
export type IngestReply = SingleReply | { readonly data: readonly EventRef[] };

/** What an event is stamped with besides its id; fixed once, so that publishing it again repeats it. */
export interface Acceptance {
  /** When the request was accepted; `created` is rendered from it. */
  readonly acceptedAt: Date;
  /** `request.id` of events that carry none of their own. */
  readonly requestId: string;
}

/** A validated event with its completed envelope and the record that will carry it. */
export interface PreparedEvent {
  readonly raw: RawEvent;
  readonly accepted: AcceptedEvent;
  readonly message: OutboundMessage;
  readonly acceptance: Acceptance;
}

/** The answer to a request whose events were all published now. */
export function freshReply(prepared: readonly PreparedEvent[], batch: boolean): IngestReply {
  if (!batch) return singleReply(prepared[0]);
  return { data: prepared.map((event) => ({ id: event.accepted.event.id, type: event.raw.type })) };
}

/** The answer to a single event. */
export function singleReply(event: PreparedEvent): SingleReply {
  return { id: event.accepted.event.id, type: event.raw.type, created: event.accepted.event.created };
}

/** Ids of the events an answer lists, in order. */
export function replyIds(reply: IngestReply): string[] {
  return 'data' in reply ? reply.data.map((ref) => ref.id) : [reply.id];
}
