import { createHash } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The id of the delivery of one event to one endpoint. It is derived from both, so a message
 * processed again after a crash yields the same delivery (same `X-…-Delivery` header, same log row)
 * instead of a second one. It starts with the event's ULID time, so delivery ids sort by event time.
 */
export function deliveryIdFor(eventId: string, endpointId: string): string {
  const ulid = eventId.startsWith('evt_') ? eventId.slice(4) : '';
  const time = /^[0-9A-HJKMNP-TV-Z]{26}$/.test(ulid) ? ulid.slice(0, 10) : '0000000000';
  const digest = createHash('sha256').update(`${eventId}\u0000${endpointId}`).digest();
  let suffix = '';
  for (let i = 0; i < 16; i += 1) suffix += CROCKFORD[digest[i] & 31];
  return `delivery_${time}${suffix}`;
}
