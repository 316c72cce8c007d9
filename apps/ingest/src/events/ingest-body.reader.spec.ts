import { decodeJson, fieldInBatch, readEventsBody, tooDeepField } from './ingest-body.reader';

describe('decodeJson', () => {
  it('decodes UTF-8 JSON of any type', () => {
    expect(decodeJson(Buffer.from('{"a":"é"}'))).toEqual({ kind: 'decoded', value: { a: 'é' } });
    expect(decodeJson(Buffer.from('null'))).toEqual({ kind: 'decoded', value: null });
  });

  it('says what is wrong with bytes that are not JSON', () => {
    expect(decodeJson(undefined)).toEqual({ kind: 'malformed', message: 'body is empty; expected JSON' });
    expect(decodeJson(Buffer.alloc(0))).toMatchObject({ kind: 'malformed' });
    expect(decodeJson(Buffer.from([0x7b, 0xff, 0x7d]))).toEqual({
      kind: 'malformed',
      message: 'body is not valid UTF-8',
    });
    expect(decodeJson(Buffer.from('{"a":'))).toEqual({
      kind: 'malformed',
      message: expect.stringMatching(/^body is not valid JSON: /),
    });
  });
});

describe('readEventsBody', () => {
  it('reads an object as one event and an array or {"events": [...]} as a batch', () => {
    const event = { type: 'user.created', data: { id: 'u' } };
    expect(readEventsBody(event)).toEqual({ kind: 'single', event });
    expect(readEventsBody([event])).toEqual({ kind: 'batch', events: [event] });
    expect(readEventsBody({ events: [event] })).toEqual({ kind: 'batch', events: [event] });
  });

  it('names the field that makes a body unreadable', () => {
    expect(readEventsBody(null)).toMatchObject({
      kind: 'unreadable',
      problem: { field: '$', message: expect.stringContaining('got null') },
    });
    expect(readEventsBody(7)).toMatchObject({ kind: 'unreadable', problem: { field: '$' } });
    expect(readEventsBody({ events: 'x' })).toMatchObject({
      kind: 'unreadable',
      problem: { field: 'events' },
    });
    expect(readEventsBody({ events: [], extra: 1 })).toMatchObject({
      kind: 'unreadable',
      problem: { field: 'extra' },
    });
  });
});

describe('tooDeepField', () => {
  function nested(depth: number): unknown {
    let value: unknown = 'leaf';
    for (let i = 0; i < depth; i += 1) value = { next: value };
    return value;
  }

  it('accepts nesting up to the limit and names the top-level field that exceeds it', () => {
    expect(tooDeepField({ type: 'x', data: nested(63) })).toBeUndefined();
    expect(tooDeepField({ type: 'x', data: nested(64) })).toBe('data');
  });

  it('measures hostile depth without recursion', () => {
    let value: unknown = [];
    for (let i = 0; i < 200_000; i += 1) value = [value];
    expect(tooDeepField({ data: value })).toBe('data');
  });
});

describe('fieldInBatch', () => {
  it('roots an event field at its index', () => {
    expect(fieldInBatch(3, 'data.email')).toBe('events[3].data.email');
    expect(fieldInBatch(0, '$')).toBe('events[0]');
    expect(fieldInBatch(1, '[2]')).toBe('events[1][2]');
  });
});
