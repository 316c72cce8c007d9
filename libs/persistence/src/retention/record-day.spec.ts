import { ulidTime } from '@hookline/events';
import { DAY_MS, deliveryIdBound, deliveryIdDay, deliveryIdFor, isoDay, utcDayStart } from './record-day';

const EVENT = 'evt_01JD0000000000000000000000';
const ACCEPTED = ulidTime(EVENT.slice(4)) + 250;

describe('deliveryIdFor', () => {
  it('is stable for one event and endpoint and differs otherwise', () => {
    const a = deliveryIdFor(EVENT, 'wh_1', ACCEPTED);
    expect(a).toBe(deliveryIdFor(EVENT, 'wh_1', ACCEPTED));
    expect(a).not.toBe(deliveryIdFor(EVENT, 'wh_2', ACCEPTED));
    expect(a).not.toBe(deliveryIdFor('evt_01JD0000000000000000000001', 'wh_1', ACCEPTED));
    expect(a).toMatch(/^delivery_01JD000000[0-9A-HJKMNP-TV-Z]{16}$/);
  });

  it('sorts by the time of the event', () => {
    const later = 'evt_01JE0000000000000000000000';
    const earlier = deliveryIdFor(EVENT, 'wh_zzz', ACCEPTED);
    expect(earlier < deliveryIdFor(later, 'wh_aaa', ulidTime(later.slice(4)))).toBe(true);
  });

  it('falls on the day the event was accepted, whatever its id says', () => {
    const accepted = Date.parse('2026-12-08T13:00:00Z');
    // A producer's own id, and a ULID-shaped one dated another day: both start at the accepted day.
    for (const id of ['evt_order_1', EVENT]) {
      const deliveryId = deliveryIdFor(id, 'wh_1', accepted);
      expect(deliveryIdDay(deliveryId)).toBe(utcDayStart(accepted));
      expect(deliveryId.startsWith(deliveryIdBound(utcDayStart(accepted)))).toBe(true);
    }
    // Copies of the same message agree; a new publication of the id on the same day merges with it.
    expect(deliveryIdFor('evt_order_1', 'wh_1', accepted)).toBe(
      deliveryIdFor('evt_order_1', 'wh_1', accepted + 3_600_000),
    );
    expect(deliveryIdFor('evt_order_1', 'wh_1', accepted)).not.toBe(
      deliveryIdFor('evt_order_1', 'wh_1', accepted + DAY_MS),
    );
  });
});

describe('day bounds', () => {
  it('order every delivery id of a day between that day and the next', () => {
    const day = Date.parse('2026-12-08T00:00:00Z');
    for (const at of [day, day + 1, day + DAY_MS - 1]) {
      const id = deliveryIdFor('evt_x', 'wh_1', at);
      expect(deliveryIdBound(day) <= id && id < deliveryIdBound(day + DAY_MS)).toBe(true);
    }
    expect(isoDay(day + DAY_MS - 1)).toBe('2026-12-08');
  });

  it('read no day from ids of another shape', () => {
    expect(deliveryIdDay('wh_01JD0000000000000000000000')).toBeUndefined();
    expect(deliveryIdDay('delivery_short')).toBeUndefined();
    expect(deliveryIdDay('delivery_IIIIIIIIII')).toBeUndefined();
  });
});
