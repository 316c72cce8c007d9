import { createUlidGenerator, type UlidGenerator } from './ulid.generator';

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

/** Whether `id` is an acceptable event id (ours or a producer's). */
export function isEventId(id: string): boolean {
  return EVENT_ID_PATTERN.test(id);
}
