import { deliveryIdFor } from './delivery-id';

describe('deliveryIdFor', () => {
  it('is stable for one event and endpoint and differs otherwise', () => {
    const a = deliveryIdFor('evt_01JD0000000000000000000000', 'wh_1');
    expect(a).toBe(deliveryIdFor('evt_01JD0000000000000000000000', 'wh_1'));
    expect(a).not.toBe(deliveryIdFor('evt_01JD0000000000000000000000', 'wh_2'));
    expect(a).not.toBe(deliveryIdFor('evt_01JD0000000000000000000001', 'wh_1'));
    expect(a).toMatch(/^delivery_01JD000000[0-9A-HJKMNP-TV-Z]{16}$/);
  });

  it('sorts by the time of the event', () => {
    const earlier = deliveryIdFor('evt_01JD0000000000000000000000', 'wh_zzz');
    const later = deliveryIdFor('evt_01JE0000000000000000000000', 'wh_aaa');
    expect(earlier < later).toBe(true);
  });
});
