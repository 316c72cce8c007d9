import { createUlidGenerator, derivedUlid, type UlidGenerator } from './ulid.generator';

/** Prefix of every event id, as on both reference pages (`evt_1234567890`). */
export const EVENT_ID_PREFIX = 'evt_';

/**
 * Ids a producer may supply: `evt_` then letters, digits or `_`. No `.` is allowed because the id is
 * also the Standard Webhooks `webhook-id`, which is joined to the timestamp and body with dots before
 * signing; the length cap keeps it comfortably inside a header and a Kafka key.
 */
export const EVENT_ID_PATTERN = /^evt_[A-Za-z0-9_]{1,96}$/;

const defaultGenerator = createUlidGenerator();

/** Returns a new sortable event id, `evt_` followed by a ULID; pass a generator to pin time in tests. */
export function newEventId(generate: UlidGenerator = defaultGenerator): string {
  return EVENT_ID_PREFIX + generate();
}

/** Where a Kafka record sits, which names it for as long as its topic exists. */
export interface RecordCoordinates {
  readonly topic: string;
  readonly partition: number;
  /** The record's offset, as the client reports it (a decimal string). */
  readonly offset: string;
  /** The record's timestamp in epoch milliseconds, between 0 and 2^48-1. */
  readonly timestampMs: number;
}

/**
 * Id of the `index`th event of a Kafka record, for events that bring none: `evt_` and a ULID dated
 * at the record's timestamp whose random part hashes the record's coordinates. A record read again
 * after a crash yields the ids it yielded the first time, so receivers can deduplicate; the date
 * keeps a topic recreated under the same name, whose offsets start over, from repeating old ids.
 */
export function recordEventId(record: RecordCoordinates, index: number): string {
  const seed = JSON.stringify(['event', record.topic, record.partition, record.offset, index]);
  return EVENT_ID_PREFIX + derivedUlid(record.timestampMs, seed);
}

/** Whether `id` is an acceptable event id (ours or a producer's). */
export function isEventId(id: string): boolean {
  return EVENT_ID_PATTERN.test(id);
}
