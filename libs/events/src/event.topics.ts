/**
 * Kafka topic names. They live beside the event catalogue because a topic name is part of the event
 * contract: the ingest service writes where the dispatcher reads.
 */

/** Raw events accepted from domain services, before fan-out. */
export const INGEST_TOPIC = 'hookline.ingest';
/** Raw events that failed validation, kept for inspection instead of being dropped. */
export const INGEST_INVALID_TOPIC = 'hookline.ingest.invalid';
/** Compacted log of endpoint subscriptions, keyed by endpoint. */
export const SUBSCRIPTION_CHANGELOG_TOPIC = 'hookline.subscriptions.changelog';
/**
 * Single delivery attempts to make now (or at `dueAt`): due retries from the retry scheduler,
 * manual redeliveries and recoveries, and test events. Keyed by endpoint id.
 */
export const DELIVERY_TASKS_TOPIC = 'hookline.deliveries';
/** Deliveries that exhausted their retries or failed permanently. */
export const DEAD_LETTER_TOPIC = 'hookline.deliveries.dead-letter';
/** Hookline's own events about itself (endpoint disabled, retries exhausted, ...). */
export const OPERATIONAL_EVENTS_TOPIC = 'hookline.operational';

const EVENT_TOPIC_PREFIX = 'hookline.events.';
const RETRY_TOPIC_PREFIX = 'hookline.retry.';
// Kafka's legal topic characters; the limit leaves room for the prefix within Kafka's 249.
const EVENT_TYPE_IN_TOPIC = /^[A-Za-z0-9._-]{1,200}$/;

/** Topic holding validated events of one type, e.g. `hookline.events.user.created`. */
export function topicForEventType(type: string): string {
  if (!EVENT_TYPE_IN_TOPIC.test(type) || type.startsWith('.') || type.endsWith('.') || type.includes('..')) {
    throw new TypeError(`event type cannot name a topic: ${JSON.stringify(type)}`);
  }
  return EVENT_TOPIC_PREFIX + type;
}

/** Event type carried by a `hookline.events.<type>` topic, or `undefined` for any other topic. */
export function eventTypeForTopic(topic: string): string | undefined {
  return topic.startsWith(EVENT_TOPIC_PREFIX)
    ? topic.slice(EVENT_TOPIC_PREFIX.length) || undefined
    : undefined;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Topic of the retry tier that holds messages for `delayMs`: `hookline.retry.5m`. The label uses the
 * largest unit that divides the delay exactly (`90s`, not `1.5m`; `1500ms` when no unit does), so two
 * schedules that share a delay share a tier.
 */
export function retryTierTopic(delayMs: number): string {
  return RETRY_TOPIC_PREFIX + delayLabel(delayMs);
}

/** Compact label of a delay: `0s`, `5s`, `1m`, `2h`, `24h`, or `1500ms` for non-round values. */
export function delayLabel(delayMs: number): string {
  if (!Number.isSafeInteger(delayMs) || delayMs < 0) {
    throw new RangeError(`retry delay must be a non-negative integer of milliseconds, got ${delayMs}`);
  }
  if (delayMs === 0) return '0s';
  if (delayMs % HOUR === 0) return `${delayMs / HOUR}h`;
  if (delayMs % MINUTE === 0) return `${delayMs / MINUTE}m`;
  if (delayMs % SECOND === 0) return `${delayMs / SECOND}s`;
  return `${delayMs}ms`;
}
