import { canonicalJson, requestHash } from './request-hash';

describe('requestHash', () => {
  it('ignores key order and whitespace, so a re-serialised retry matches', () => {
    const first = JSON.parse('{"type":"user.created","data":{"id":"usr_1","email":"a@example.com"}}');
    const retry = JSON.parse(
      '{ "data": { "email": "a@example.com", "id": "usr_1" }, "type": "user.created" }',
    );
    expect(requestHash('event', retry)).toBe(requestHash('event', first));
  });

  it('tells different bodies apart, including array order and value types', () => {
    const base = requestHash('event', { data: { ids: [1, 2] } });
    expect(requestHash('event', { data: { ids: [2, 1] } })).not.toBe(base);
    expect(requestHash('event', { data: { ids: ['1', '2'] } })).not.toBe(base);
  });

  it('never lets a batch match a single event with the same content', () => {
    const event = { type: 'user.created', data: { id: 'usr_1' } };
    expect(requestHash('batch', [event])).not.toBe(requestHash('event', [event]));
  });

  it('serialises canonically', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}',
    );
  });
});
