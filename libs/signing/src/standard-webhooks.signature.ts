import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';
import { HmacKeyCache } from './hmac-key.cache';
import { standardWebhooksKey } from './signing-secret';

const keys = new HmacKeyCache(standardWebhooksKey);

/**
 * Standard Webhooks symmetric signatures: `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`
 * in `webhook-signature`, one per secret, space-separated, so receivers keep verifying while a
 * secret rotates.
 */

/**
 * The three Standard Webhooks headers, lowercase as the spec writes them. A type alias rather than an
 * interface so the value can be passed wherever a plain header record is expected.
 */
export type StandardWebhooksHeaders = {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
};

/** What one signature covers. */
export interface StandardWebhooksMessage {
  /** Message id, stable across retries (receivers deduplicate on it); must not contain `.`. */
  readonly id: string;
  /** Unix seconds of this attempt; a retry gets a fresh timestamp. */
  readonly timestamp: number;
  /** The exact bytes sent. */
  readonly body: Uint8Array;
  /** Signing secrets, current first; one signature is emitted per secret. */
  readonly secrets: readonly string[];
}

const VERSION = 'v1';
// Printable ASCII without `.` (it would shift the id/timestamp boundary) and without spaces or
// commas (the header's own separators).
const MESSAGE_ID_PATTERN = /^[\x21-\x2b\x2d\x2f-\x7e]{1,255}$/;
const TIMESTAMP_PATTERN = /^\d{1,15}$/;
const DIGEST_BYTES = 32;

/** Builds the three headers for one delivery attempt. Throws on an unusable id, timestamp or secret. */
export function signStandardWebhooks(message: StandardWebhooksMessage): StandardWebhooksHeaders {
  const { id, timestamp, body, secrets } = message;
  if (!MESSAGE_ID_PATTERN.test(id)) {
    throw new TypeError('webhook id must be 1-255 printable ASCII characters without ".", "," or spaces');
  }
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError('webhook timestamp must be a non-negative integer of unix seconds');
  }
  if (secrets.length === 0) throw new TypeError('at least one secret is required');
  const signatures = secrets.map(
    (secret) => `${VERSION},${digest(keys.get(secret), id, String(timestamp), body).toString('base64')}`,
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

/** Why Standard Webhooks headers were not accepted. */
export type StandardWebhooksRejection =
  'missing-header' | 'malformed-header' | 'stale-timestamp' | 'future-timestamp' | 'bad-signature';

/** Outcome of checking Standard Webhooks headers; `secretIndex` says which secret matched. */
export type StandardWebhooksVerification =
  | { readonly ok: true; readonly secretIndex: number }
  | { readonly ok: false; readonly reason: StandardWebhooksRejection };

/** Tuning for verification. */
export interface VerifyOptions {
  /** Largest accepted distance between `webhook-timestamp` and now, either way, in seconds; default 300. */
  readonly toleranceSec?: number;
  /** Current time in epoch milliseconds; defaults to `Date.now`. */
  readonly now?: () => number;
}

/** Incoming headers: Node's `IncomingHttpHeaders` or any record, names matched case-insensitively. */
export type IncomingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Checks Standard Webhooks headers against the body: headers present and well formed, timestamp
 * within tolerance in both directions, then any `v1` signature matching any secret, compared in
 * constant time. Signatures of other versions (e.g. `v1a`) are skipped, as the spec asks.
 */
export function verifyStandardWebhooks(
  headers: IncomingHeaders,
  body: Uint8Array,
  secrets: readonly string[],
  options: VerifyOptions = {},
): StandardWebhooksVerification {
  if (secrets.length === 0) throw new TypeError('at least one secret is required');
  const toleranceSec = options.toleranceSec ?? 300;
  const now = options.now ?? Date.now;

  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signature = header(headers, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signature === undefined) {
    return { ok: false, reason: 'missing-header' };
  }
  if (id === null || timestamp === null || signature === null || !TIMESTAMP_PATTERN.test(timestamp)) {
    return { ok: false, reason: 'malformed-header' };
  }

  const ageSec = Math.floor(now() / 1000) - Number(timestamp);
  if (ageSec > toleranceSec) return { ok: false, reason: 'stale-timestamp' };
  if (ageSec < -toleranceSec) return { ok: false, reason: 'future-timestamp' };

  const provided = signature
    .split(' ')
    .filter((entry) => entry.startsWith(`${VERSION},`))
    .map((entry) => Buffer.from(entry.slice(VERSION.length + 1), 'base64'))
    .filter((bytes) => bytes.length === DIGEST_BYTES);
  if (provided.length === 0) return { ok: false, reason: 'bad-signature' };

  for (const [secretIndex, secret] of secrets.entries()) {
    const expected = digest(keys.get(secret), id, timestamp, body);
    if (provided.some((candidate) => timingSafeEqual(candidate, expected))) return { ok: true, secretIndex };
  }
  return { ok: false, reason: 'bad-signature' };
}

function digest(key: KeyObject, id: string, timestamp: string, body: Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest();
}

// undefined: absent; null: present but repeated, which a single-valued header must not be.
function header(headers: IncomingHeaders, name: string): string | null | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    if (typeof value === 'string') return value === '' ? undefined : value;
    return value.length === 1 ? value[0] : null;
  }
  return undefined;
}
