import type { JsonSchema } from './json-schema';

/**
 * JSON Schemas of `data`, one per kind of object.
 *
 * Rules used throughout:
 * - every `data` names the object it is about in `id` (a non-empty string), so `id` is the only field
 *   required everywhere; receivers on both pages key their idempotency and upserts on it;
 * - objects stay open (`additionalProperties: true`): both pages' handlers read fields the examples do
 *   not show (`data.source`, `data.plan`), and adding a field must never break a producer;
 * - fields the pages show are typed exactly, and are checked whenever they are present;
 * - a payment also requires `amount` and `currency`: a payment event without them is useless to every
 *   receiver on the pages, which act on the amount.
 */

const timestamp = { type: 'string', format: 'date-time' } as const;
const openObject = { type: 'object', additionalProperties: true } as const;
const id = { type: 'string', minLength: 1, maxLength: 255 } as const;

/**
 * User objects. The Appmint shape (profile, verification flags, metadata) and the Hackmamba shape
 * (`object: "user"`, `name`, `email`) both validate: they differ only in which optional fields appear.
 * `email` must be an address when present; `phone` may be `null` for users without one.
 */
export const userDataSchema: JsonSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['id'],
  properties: {
    object: { const: 'user' },
    id,
    email: { type: 'string', format: 'email' },
    name: { type: ['string', 'null'] },
    email_verified: { type: 'boolean' },
    phone: { type: ['string', 'null'] },
    phone_verified: { type: 'boolean' },
    profile: {
      type: 'object',
      additionalProperties: true,
      properties: {
        first_name: { type: ['string', 'null'] },
        last_name: { type: ['string', 'null'] },
        avatar_url: { type: ['string', 'null'], format: 'uri' },
        timezone: { type: ['string', 'null'] },
      },
    },
    metadata: openObject,
    created_at: timestamp,
    updated_at: timestamp,
  },
};

/**
 * Payment objects, as on the Appmint page. `amount` is an integer in the currency's minor unit
 * (2999 = 29.99 USD), `currency` a lowercase ISO 4217 code.
 */
export const paymentDataSchema: JsonSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['id', 'amount', 'currency'],
  properties: {
    id,
    amount: { type: 'integer', minimum: 0 },
    currency: { type: 'string', pattern: '^[a-z]{3}$' },
    customer_id: { type: 'string' },
    status: { type: 'string' },
    payment_method: {
      type: 'object',
      additionalProperties: true,
      required: ['type'],
      properties: {
        type: { type: 'string' },
        card: {
          type: 'object',
          additionalProperties: true,
          properties: {
            brand: { type: 'string' },
            last4: { type: 'string', pattern: '^[0-9]{4}$' },
            exp_month: { type: 'integer', minimum: 1, maximum: 12 },
            exp_year: { type: 'integer', minimum: 1970 },
          },
        },
      },
    },
    receipt_url: { type: 'string', format: 'uri' },
    created_at: timestamp,
  },
};

/** Document objects, as on the Appmint page; `collection` says where the document lives. */
export const documentDataSchema: JsonSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['id', 'collection'],
  properties: {
    id,
    collection: { type: 'string', minLength: 1 },
    document: openObject,
    metadata: {
      type: 'object',
      additionalProperties: true,
      properties: {
        source: { type: 'string' },
        ip_address: { type: 'string' },
        user_agent: { type: 'string' },
      },
    },
  },
};

/**
 * An object neither page describes: open, with `id` required and the named optional fields typed.
 */
export function openDataSchema(typedFields: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: 'object',
    additionalProperties: true,
    required: ['id'],
    properties: { id, ...typedFields },
  };
}

/** Field types reused by the open schemas. */
export const fields = {
  string: { type: 'string' },
  timestamp,
  integer: { type: 'integer' },
  count: { type: 'integer', minimum: 0 },
  uri: { type: 'string', format: 'uri' },
  object: openObject,
} as const satisfies Record<string, JsonSchema>;
