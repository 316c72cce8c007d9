import { createHash } from 'node:crypto';
import { newEventId, recordEventId, type RecordCoordinates } from './event-id';
import { createUlidGenerator, derivedUlid, ULID_PATTERN, ulidTime } from './ulid.generator';

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

describe('derivedUlid', () => {
  it('dates the id at the given time and draws its random part from the hash of the seed', () => {
    const id = derivedUlid(1_705_314_600_000, 'seed');
    const random = createHash('sha256').update('seed').digest().subarray(0, 10);
    const reference = createUlidGenerator({ now: () => 1_705_314_600_000, randomBytes: () => random });
    expect(id).toBe(reference());
    expect(ulidTime(id)).toBe(1_705_314_600_000);
  });

  it('gives the same inputs the same id and different seeds different ids', () => {
    expect(derivedUlid(5, 'a')).toBe(derivedUlid(5, 'a'));
    expect(derivedUlid(5, 'a')).not.toBe(derivedUlid(5, 'b'));
    expect(derivedUlid(5, 'a').slice(10)).toBe(derivedUlid(6, 'a').slice(10));
  });

  it('refuses times outside 48 bits', () => {
    expect(() => derivedUlid(-1, 'a')).toThrow(RangeError);
    expect(() => derivedUlid(2 ** 48, 'a')).toThrow(RangeError);
  });
});

describe('recordEventId', () => {
  const record: RecordCoordinates = {
    topic: 'hookline.ingest',
    partition: 3,
    offset: '1042',
    timestampMs: 1_705_314_600_123,
  };

  it('names an event of a record the same way every time it is read', () => {
    const first = [0, 1, 2].map((index) => recordEventId(record, index));
    const again = [0, 1, 2].map((index) => recordEventId({ ...record }, index));
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(3);
    expect(first.every((id) => /^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(id))).toBe(true);
    expect(first.every((id) => ulidTime(id.slice(4)) === record.timestampMs)).toBe(true);
  });

  it('tells records apart by topic, partition and offset', () => {
    const ids = [
      recordEventId(record, 0),
      recordEventId({ ...record, topic: 'hookline.ingest.other' }, 0),
      recordEventId({ ...record, partition: 4 }, 0),
      recordEventId({ ...record, offset: '1043' }, 0),
      // Offsets as decimal strings: "10" at index 42 must not read as "104" at index 2.
      recordEventId({ ...record, offset: '10' }, 42),
      recordEventId({ ...record, offset: '104' }, 2),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('matches fixed vectors, so ids of records already read never change with a release', () => {
    expect(recordEventId({ topic: 't', partition: 0, offset: '0', timestampMs: 0 }, 0)).toBe(
      'evt_00000000008V8ADKHK0MTA5XAC',
    );
    expect(recordEventId(record, 1)).toBe('evt_01HM6AQH5VJXGSABTXPN86KHPY');
  });
});
