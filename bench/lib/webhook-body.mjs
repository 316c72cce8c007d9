// The webhook bodies the benchmark sends, and the signing and checking of them. The baselines render
// bodies with the platform's own envelope code and sign them the way the platform does, so every
// system sends the same bytes and the same headers for the same work.
import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { newEventId, renderWebhookEvent } = require('@hookline/events');
const { resolvePreset } = require('@hookline/presets');
const { Webhook } = require('standardwebhooks');

/** The preset the benchmark runs the platform with. */
export const PRESET = resolvePreset('hookline');
/** The event type every benchmark event has. */
export const EVENT_TYPE = 'user.created';
/** Size the rendered webhook body aims at. */
export const TARGET_BODY_BYTES = 1024;

const prefix = PRESET.brand.headerPrefix.toLowerCase();
/** Lower-case names of the headers that identify a delivery. */
export const HEADERS = {
  eventId: `${prefix}-event-id`,
  delivery: `${prefix}-delivery`,
  signature: `${prefix}-signature`,
};

function dataFor(tag, seq, padding) {
  return {
    id: `user_${tag}_${seq}`,
    email: `user${seq}@example.com`,
    name: `Bench User ${seq}`,
    metadata: { note: 'x'.repeat(padding) },
  };
}

function render(id, data, pendingWebhooks) {
  return JSON.stringify(
    renderWebhookEvent(
      {
        id,
        type: EVENT_TYPE,
        createdAt: new Date(),
        apiVersion: PRESET.apiVersion,
        data,
        request: { id: `req_${randomBytes(12).toString('hex')}`, idempotency_key: null },
        pendingWebhooks,
      },
      PRESET.createdFormat,
    ),
  );
}

// Padding that makes a rendered body TARGET_BODY_BYTES long (numbers of similar width included).
const PADDING = Math.max(
  0,
  TARGET_BODY_BYTES - Buffer.byteLength(render(newEventId(), dataFor('r0000', 100000, 0), 1)),
);

/** The `data` of event number `seq` of a run tagged `tag` (subjects differ, so partitions spread). */
export function eventData(tag, seq) {
  return dataFor(tag, seq, PADDING);
}

/** A new event as the baselines create it: a platform-style id and the rendered body bytes. */
export function renderEvent(tag, seq, fanout) {
  const id = newEventId();
  return { id, body: Buffer.from(render(id, eventData(tag, seq), fanout)) };
}

/** A new `whsec_` signing secret (32 random bytes), as the platform generates them. */
export function newSecret() {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function standardKey(secret) {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

/** The headers the platform sends with one delivery, signed both ways over `body`. */
export function signedHeaders({ eventId, deliveryId, body, secret, nowMs = Date.now() }) {
  const timestamp = Math.floor(nowMs / 1000);
  const standard = createHmac('sha256', standardKey(secret))
    .update(`${eventId}.${timestamp}.`)
    .update(body)
    .digest('base64');
  return {
    'content-type': 'application/json',
    'user-agent': PRESET.brand.userAgent,
    [`${PRESET.brand.headerPrefix}-Event-Type`]: EVENT_TYPE,
    [`${PRESET.brand.headerPrefix}-Event-Id`]: eventId,
    [`${PRESET.brand.headerPrefix}-Delivery`]: deliveryId,
    [`${PRESET.brand.headerPrefix}-Signature`]: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    'webhook-id': eventId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${standard}`,
  };
}

/**
 * Checks a received request the way the reference pages' receivers do (`sha256=` HMAC of the raw
 * body with the secret) and with the `standardwebhooks` package, as of `at` (epoch ms) — when the
 * receiver got it, since the package rejects timestamps more than five minutes from "now" and the
 * check may run minutes later. Returns the problems found.
 */
export function verifyRequest({ headers, body, at = Date.now() }, secret) {
  const problems = [];
  const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  if (headers[HEADERS.signature] !== expected) problems.push(`${HEADERS.signature} does not match the body`);
  // The package reads the clock itself; for this synchronous call its "now" is the arrival time.
  const realNow = Date.now;
  Date.now = () => at;
  try {
    const verifier = secret.startsWith('whsec_')
      ? new Webhook(secret)
      : new Webhook(secret, { format: 'raw' });
    verifier.verify(body.toString('utf8'), {
      'webhook-id': headers['webhook-id'],
      'webhook-timestamp': headers['webhook-timestamp'],
      'webhook-signature': headers['webhook-signature'],
    });
  } catch (error) {
    problems.push(`standard webhooks signature rejected: ${error.message}`);
  } finally {
    Date.now = realNow;
  }
  let parsed;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    problems.push('body is not JSON');
  }
  if (parsed && parsed.id !== headers[HEADERS.eventId])
    problems.push('body id differs from the event id header');
  return problems;
}
