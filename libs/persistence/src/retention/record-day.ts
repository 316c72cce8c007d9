import { createHash } from 'node:crypto';
import { ULID_PATTERN, ulidTime, ulidTimePart } from '@hookline/events';

/**
 * Which day a record belongs to. `events`, `deliveries` and `delivery_attempts` are partitioned by
 * day so that expired days are dropped whole; every record of one event falls on the same day, the
 * UTC day ingest accepted the event, whenever its deliveries and attempts are actually made. Every
 * copy of an event message carries the same acceptance time, so copies land on the same rows.
 *
 * An event row carries its day in a column; a delivery carries it in its id (which starts with a
 * time of that day), and an attempt in its delivery's id, so a lookup by id reads one partition.
 */

/** Milliseconds in a UTC day. */
export const DAY_MS = 86_400_000;

/** Prefix of every delivery id. */
export const DELIVERY_ID_PREFIX = 'delivery_';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;

/** Start (epoch ms) of the UTC day holding `timeMs`. */
export function utcDayStart(timeMs: number): number {
  return Math.floor(timeMs / DAY_MS) * DAY_MS;
}

/** `2026-12-08` for the UTC day holding `timeMs`. */
export function isoDay(timeMs: number): string {
  return new Date(utcDayStart(timeMs)).toISOString().slice(0, 10);
}

/**
 * The id of the delivery of one event to one endpoint. It is derived from both, so a message
 * processed again after a crash yields the same delivery (same delivery header, same log row)
 * instead of a second one. It starts with a time of the event's day: the event id's ULID time when
 * that falls on the day the event was accepted (ids ingest mints), else the start of that day (ids
 * a producer chose), so delivery ids sort by event time and name their partition.
 */
export function deliveryIdFor(eventId: string, endpointId: string, acceptedAtMs: number): string {
  const day = utcDayStart(acceptedAtMs);
  const ulid = eventId.startsWith('evt_') ? eventId.slice(4) : '';
  const eventTime = ULID_PATTERN.test(ulid) ? ulidTime(ulid) : Number.NaN;
  const time = utcDayStart(eventTime) === day ? eventTime : day;
  const digest = createHash('sha256').update(`${eventId}\u0000${endpointId}`).digest();
  let suffix = '';
  for (let i = 0; i < 16; i += 1) suffix += CROCKFORD[digest[i] & 31];
  return DELIVERY_ID_PREFIX + ulidTimePart(time) + suffix;
}

/** The smallest delivery id of the UTC day starting at `dayStartMs`: a partition bound. */
export function deliveryIdBound(dayStartMs: number): string {
  return DELIVERY_ID_PREFIX + ulidTimePart(dayStartMs);
}

/**
 * A readable delivery id of the day holding `atMs`, `delivery_<time>_<label>`, for deliveries not
 * derived from an event (test fixtures, tools): stored in that day's partition like any other.
 */
export function labelledDeliveryId(label: string, atMs: number = Date.now()): string {
  return `${deliveryIdBound(utcDayStart(atMs))}_${label}`;
}

/** Start of the UTC day a delivery id belongs to, or undefined for an id not of this shape. */
export function deliveryIdDay(id: string): number | undefined {
  if (!id.startsWith(DELIVERY_ID_PREFIX)) return undefined;
  const part = id.slice(DELIVERY_ID_PREFIX.length, DELIVERY_ID_PREFIX.length + TIME_CHARS);
  if (part.length !== TIME_CHARS) return undefined;
  let time = 0;
  for (const char of part) {
    const value = CROCKFORD.indexOf(char);
    if (value < 0) return undefined;
    time = time * 32 + value;
  }
  return utcDayStart(time);
}
