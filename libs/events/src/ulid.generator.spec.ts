import { newEventId } from './event-id';
import { createUlidGenerator, ULID_PATTERN, ulidTime } from './ulid.generator';

describe('createUlidGenerator', () => {
  it('produces 10,000 unique, strictly increasing ids within one millisecond', () => {
    const generate = createUlidGenerator({ now: () => 1_705_314_600_000 });
    const ids = Array.from({ length: 10_000 }, () => generate());
    expect(new Set(ids).size).toBe(10_000);
    for (let i = 1; i < ids.length; i += 1) expect(ids[i - 1] < ids[i]).toBe(true);
    expect(ids.every((id) => ULID_PATTERN.test(id) && ulidTime(id) === 1_705_314_600_000)).toBe(true);
  });

  it('sorts by time across milliseconds, whatever the randomness', () => {
    let time = 1_000;
    const generate = createUlidGenerator({ now: () => time });
    const ids: string[] = [];
    for (let i = 0; i < 500; i += 1) {
      ids.push(generate());
      if (i % 7 === 0) time += 1;
    }
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps order when the clock steps backwards', () => {
    let time = 5_000;
    const generate = createUlidGenerator({ now: () => time });
    const first = generate();
    time = 4_000;
    const second = generate();
    expect(second > first).toBe(true);
    expect(ulidTime(second)).toBe(5_000);
  });

  it('encodes time and randomness in Crockford base32', () => {
    const generate = createUlidGenerator({ now: () => 0, randomBytes: (size) => new Uint8Array(size) });
    expect(generate()).toBe('00000000000000000000000000');
    expect(generate()).toBe('00000000000000000000000001');
    const max = createUlidGenerator({
      now: () => 2 ** 48 - 1,
      randomBytes: (size) => new Uint8Array(size).fill(255),
    });
    expect(max()).toBe('7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
  });

  it('carries the increment across bytes', () => {
    const bytes = new Uint8Array(10);
    bytes[9] = 255;
    const generate = createUlidGenerator({ now: () => 0, randomBytes: () => bytes });
    expect(generate()).toBe('0000000000000000000000007Z');
    expect(generate()).toBe('00000000000000000000000080');
  });

  it('refuses to wrap when the random part is exhausted', () => {
    const generate = createUlidGenerator({
      now: () => 0,
      randomBytes: (size) => new Uint8Array(size).fill(255),
    });
    generate();
    expect(() => generate()).toThrow(/overflowed/);
  });

  it('refuses times outside 48 bits', () => {
    expect(() => createUlidGenerator({ now: () => -1 })()).toThrow(RangeError);
    expect(() => createUlidGenerator({ now: () => 2 ** 48 })()).toThrow(RangeError);
  });
});

describe('newEventId', () => {
  it('prefixes a ULID with evt_', () => {
    const id = newEventId();
    expect(id).toMatch(/^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(Math.abs(ulidTime(id.slice(4)) - Date.now())).toBeLessThan(60_000);
  });

  it('uses an injected generator', () => {
    const generate = createUlidGenerator({ now: () => 0, randomBytes: (size) => new Uint8Array(size) });
    expect(newEventId(generate)).toBe('evt_00000000000000000000000000');
  });
});
