import { EVENT_TYPE_HEADER, TENANT_ID_HEADER } from '@hookline/kafka';
import {
  type AcceptedEvent,
  type CreatedFormat,
  encodeAcceptedEvent,
  type RawEvent,
  renderCreated,
  topicForEventType,
} from '@hookline/events';
import type { OutboundMessage } from '../kafka/message.publisher';

/** Header naming the tenant that owns a record, on the ingest topic and on every per-type topic. */
export { TENANT_ID_HEADER };
/** Header carrying the event id, so consumers can deduplicate without parsing the body. */
export const EVENT_ID_HEADER = 'hookline-event-id';

/** What is the same for every event of one request. */
export interface AcceptanceContext {
  readonly tenantId: string;
  /** When ingest accepted the request; `created` is rendered from it. */
  readonly acceptedAt: Date;
  readonly createdFormat: CreatedFormat;
  readonly apiVersion: string;
  /** Request id for events that carry none of their own. */
  readonly requestId: string;
  /** Idempotency key for events that carry none of their own. */
  readonly idempotencyKey: string | null;
}

/**
 * Completes a validated raw event into the envelope customers will receive. The producer's own
 * values win (`id`, `livemode`, `request.id`, ...); ingest fills only what is missing. An explicit
 * `request: null` (an event no API request caused) stays null.
 */
export function acceptEvent(raw: RawEvent, eventId: string, context: AcceptanceContext): AcceptedEvent {
  const request =
    raw.request === null
      ? null
      : {
          id: raw.request?.id ?? context.requestId,
          idempotency_key: raw.request?.idempotency_key ?? context.idempotencyKey,
        };
  return {
    kind: 'event',
    v: 1,
    tenantId: context.tenantId,
    acceptedAt: context.acceptedAt.getTime(),
    event: {
      id: eventId,
      type: raw.type,
      created: renderCreated(context.acceptedAt, context.createdFormat),
      api_version: context.apiVersion,
      data: raw.data,
      previous_attributes: raw.previous_attributes ?? {},
      request,
      livemode: raw.livemode ?? true,
    },
  };
}

/**
 * Record key of an event: its tenant, then what it is about (`subject`, else `data.id`, else its own
 * id). One tenant's events about one subject share a partition and so keep their order; two tenants
 * never share a key.
 */
export function eventRecordKey(tenantId: string, raw: RawEvent, eventId: string): string {
  const dataId = raw.data.id;
  const subject = raw.subject ?? (typeof dataId === 'string' && dataId !== '' ? dataId : eventId);
  return `${tenantId}:${subject}`;
}

/** The record that carries an accepted event on its per-type topic. */
export function acceptedEventMessage(accepted: AcceptedEvent, raw: RawEvent): OutboundMessage {
  return {
    topic: topicForEventType(accepted.event.type),
    key: eventRecordKey(accepted.tenantId, raw, accepted.event.id),
    value: encodeAcceptedEvent(accepted),
    headers: {
      'content-type': 'application/json',
      [TENANT_ID_HEADER]: accepted.tenantId,
      [EVENT_TYPE_HEADER]: accepted.event.type,
      [EVENT_ID_HEADER]: accepted.event.id,
    },
  };
}
