import { EVENT_ID_PATTERN } from './event-id';
import type { JsonSchema } from './json-schema';

/**
 * What a domain service sends to ingest. Hookline fills in the rest of the envelope (`created`,
 * `api_version`, `pending_webhooks`) when it accepts the event.
 */
export interface RawEvent {
  /** Catalogue event type, e.g. `user.created`. */
  readonly type: string;
  /** The event's object, validated against the type's schema. */
  readonly data: Record<string, unknown>;
  /** The producer's own `evt_` id, which makes a resend idempotent; minted by Hookline when absent. */
  readonly id?: string;
  /** `false` for test events; defaults to `true`. */
  readonly livemode?: boolean;
  /** Changed values for `*.updated` events. */
  readonly previous_attributes?: Record<string, unknown>;
  /** The API request that caused the event. */
  readonly request?: { readonly id?: string | null; readonly idempotency_key?: string | null } | null;
  /**
   * What the event is about (e.g. `user_abc123`); events with the same subject keep their order.
   * Defaults to `data.id`.
   */
  readonly subject?: string;
}

const nullableShortString = { type: ['string', 'null'], maxLength: 255 } as const;

/**
 * JSON Schema of a raw event. Unknown top-level keys are rejected so a producer's typo
 * (`previousAttributes`) fails loudly instead of being dropped; `data` stays open here and is checked
 * against its type's schema.
 */
export const rawEventSchema: JsonSchema = {
  $id: 'urn:hookline:raw-event',
  title: 'RawEvent',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'data'],
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 200 },
    data: { type: 'object' },
    id: { type: 'string', pattern: EVENT_ID_PATTERN.source },
    livemode: { type: 'boolean' },
    previous_attributes: { type: 'object' },
    request: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { id: nullableShortString, idempotency_key: nullableShortString },
    },
    subject: { type: 'string', minLength: 1, maxLength: 200 },
  },
};
