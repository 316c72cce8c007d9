import { EVENT_ID_PATTERN } from './event-id';
import type { JsonSchema } from './json-schema';

/**
 * The envelope every webhook body carries. Field names and shapes follow the two reference pages:
 * Hackmamba's `pending_webhooks` and Appmint's `api_version` / `previous_attributes` are both sent, so
 * a receiver written against either page finds what it reads.
 */
export interface WebhookEvent<TData extends Record<string, unknown> = Record<string, unknown>> {
  /** `evt_` + ULID for events Hookline mints, or the id the producer supplied. */
  readonly id: string;
  /** Catalogue event type, e.g. `user.created`. */
  readonly type: string;
  /** Unix seconds (`1640995200`) or ISO 8601 without milliseconds (`2024-01-15T10:30:00Z`), per preset. */
  readonly created: number | string;
  /** API version the event was generated under. */
  readonly api_version: string;
  /** The event's object; its schema depends on `type`. */
  readonly data: TData;
  /** Values that changed, for `*.updated` events; `{}` otherwise. */
  readonly previous_attributes: Record<string, unknown>;
  /** The API request that caused the event, or `null` when none did (e.g. a scheduled job). */
  readonly request: WebhookEventRequest | null;
  /** `false` for test events. */
  readonly livemode: boolean;
  /** Endpoints still waiting for this event when the body was rendered. */
  readonly pending_webhooks: number;
}

/** The originating request; either part may be unknown. */
export interface WebhookEventRequest {
  /** Request id, e.g. `req_xyz789`. */
  readonly id: string | null;
  /** The idempotency key the caller sent, if any. */
  readonly idempotency_key: string | null;
}

/** How `created` is rendered; the same values as the presets' `createdFormat`. */
export type CreatedFormat = 'unix' | 'iso8601';

/**
 * Renders a point in time as the envelope's `created`: whole unix seconds, or ISO 8601 in UTC without
 * milliseconds as the Appmint page prints it. Sub-second precision is dropped rather than rounded so
 * both formats name the same second.
 */
export function renderCreated(date: Date, format: CreatedFormat): number | string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('cannot render an invalid date');
  const seconds = Math.floor(ms / 1000);
  switch (format) {
    case 'unix':
      return seconds;
    case 'iso8601':
      return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  }
}

/** What is known about an event before it is rendered for one preset. */
export interface WebhookEventFields<TData extends Record<string, unknown> = Record<string, unknown>> {
  /** Event id. */
  readonly id: string;
  /** Catalogue event type. */
  readonly type: string;
  /** When the event happened. */
  readonly createdAt: Date;
  /** API version to stamp. */
  readonly apiVersion: string;
  /** The event's object. */
  readonly data: TData;
  /** Changed values for update events; defaults to `{}`. */
  readonly previousAttributes?: Record<string, unknown>;
  /** Originating request; defaults to `null`. */
  readonly request?: { readonly id?: string | null; readonly idempotency_key?: string | null } | null;
  /** Defaults to `true`. */
  readonly livemode?: boolean;
  /** Defaults to `1`, the endpoint this body is rendered for. */
  readonly pendingWebhooks?: number;
}

/** Builds the envelope for one created format; key order is fixed so equal events serialise equally. */
export function renderWebhookEvent<TData extends Record<string, unknown>>(
  fields: WebhookEventFields<TData>,
  createdFormat: CreatedFormat,
): WebhookEvent<TData> {
  const request = fields.request
    ? { id: fields.request.id ?? null, idempotency_key: fields.request.idempotency_key ?? null }
    : null;
  return {
    id: fields.id,
    type: fields.type,
    created: renderCreated(fields.createdAt, createdFormat),
    api_version: fields.apiVersion,
    data: fields.data,
    previous_attributes: fields.previousAttributes ?? {},
    request,
    livemode: fields.livemode ?? true,
    pending_webhooks: fields.pendingWebhooks ?? 1,
  };
}

/** ISO 8601 `created` as rendered here: UTC, whole seconds. */
export const ISO_CREATED_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$';

const nullableString = { type: ['string', 'null'] } as const;

/**
 * JSON Schema of the envelope as Hookline sends it. `data` is checked separately against its event
 * type's schema; `id` is not pinned to a ULID because producers may supply their own `evt_` ids.
 */
export const webhookEventSchema: JsonSchema = {
  $id: 'urn:hookline:webhook-event',
  title: 'WebhookEvent',
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'type',
    'created',
    'api_version',
    'data',
    'previous_attributes',
    'request',
    'livemode',
    'pending_webhooks',
  ],
  properties: {
    id: { type: 'string', pattern: EVENT_ID_PATTERN.source },
    type: { type: 'string', minLength: 1 },
    // One schema for both formats: `minimum` only constrains numbers, `pattern`/`format` only strings.
    created: { type: ['integer', 'string'], minimum: 0, pattern: ISO_CREATED_PATTERN, format: 'date-time' },
    api_version: { type: 'string', minLength: 1 },
    data: { type: 'object' },
    previous_attributes: { type: 'object' },
    request: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { id: nullableString, idempotency_key: nullableString },
    },
    livemode: { type: 'boolean' },
    pending_webhooks: { type: 'integer', minimum: 0 },
  },
};
