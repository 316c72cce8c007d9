import { join } from 'node:path';
import { loadSync } from '@grpc/proto-loader';
import { ADMIN_PROTO_FILE, ADMIN_PROTO_LOADER_OPTIONS, PROTO_ROOT } from './admin-proto';
import {
  fromStruct,
  structPathAsJson,
  type StructMessage,
  timestampToIso,
  toOptionalTimestamp,
  toStruct,
  toTimestamp,
} from './proto-values';

// Encodes and decodes through the real admin.proto, as a call would.
const definition = loadSync(join(PROTO_ROOT, ADMIN_PROTO_FILE), ADMIN_PROTO_LOADER_OPTIONS);
const getEvent = (definition['hookline.admin.v1.EventService'] as Record<string, unknown>).GetEvent as {
  responseSerialize(value: unknown): Buffer;
  responseDeserialize(bytes: Buffer): { data: StructMessage };
};
const throughTheWire = (struct: StructMessage): StructMessage =>
  getEvent.responseDeserialize(getEvent.responseSerialize({ id: 'evt_1', data: struct })).data;

describe('Struct conversion', () => {
  it('carries a JSON object through the wire unchanged', () => {
    const data = {
      id: 'u1',
      count: 3,
      ratio: 0.25,
      active: true,
      deleted_at: null,
      tags: ['a', 1, false, null, { nested: ['x'] }],
      address: { city: 'Lagos', geo: { lat: 6.5, lng: 3.4 } },
      empty: {},
      none: [],
    };
    expect(fromStruct(throughTheWire(toStruct(data)))).toEqual(data);
  });

  it('leaves out what JSON cannot hold, as JSON.stringify does', () => {
    const data = { kept: 1, gone: undefined, nan: Number.NaN, list: [undefined] };
    expect(fromStruct(throughTheWire(toStruct(data)))).toEqual(JSON.parse(JSON.stringify(data)));
  });

  it('reads a Value with no member set as null', () => {
    expect(fromStruct({ fields: { x: {} } })).toEqual({ x: null });
  });
});

describe('Timestamp conversion', () => {
  it('keeps milliseconds', () => {
    const date = new Date('2024-02-29T23:59:59.123Z');
    expect(toTimestamp(date)).toEqual({ seconds: '1709251199', nanos: 123_000_000 });
    expect(timestampToIso(toTimestamp(date))).toBe('2024-02-29T23:59:59.123Z');
  });

  it('handles instants before 1970', () => {
    const date = new Date('1969-12-31T23:59:59.500Z');
    expect(toTimestamp(date)).toEqual({ seconds: '-1', nanos: 500_000_000 });
    expect(timestampToIso(toTimestamp(date))).toBe('1969-12-31T23:59:59.500Z');
  });

  it('maps unset to null and undefined', () => {
    expect(toOptionalTimestamp(null)).toBeNull();
    expect(timestampToIso(null)).toBeUndefined();
  });

  it('turns an impossible Timestamp into text no instant parser accepts', () => {
    expect(timestampToIso({ seconds: '1', nanos: 2_000_000_000 })).toMatch(/^invalid Timestamp/);
    expect(timestampToIso({ seconds: '99999999999999999999', nanos: 0 })).toMatch(/^invalid Timestamp/);
  });
});

describe('structPathAsJson', () => {
  it.each([
    [
      ['data', 'fields', 'name', 'stringValue'],
      ['data', 'name'],
    ],
    [
      ['data', 'fields', 'address', 'structValue', 'fields', 'city', 'stringValue'],
      ['data', 'address', 'city'],
    ],
    [
      ['data', 'fields', 'tags', 'listValue', 'values', 1, 'stringValue'],
      ['data', 'tags', 1],
    ],
    [
      ['data', 'fields', 'm', 'listValue', 'values', 0, 'listValue', 'values', 2, 'stringValue'],
      ['data', 'm', 0, 2],
    ],
    [
      ['data', 'fields', 'items', 'listValue', 'values', 3, 'structValue', 'fields', 'sku', 'stringValue'],
      ['data', 'items', 3, 'sku'],
    ],
  ])('reads %j as %j', (path, json) => {
    expect(structPathAsJson(path)).toEqual(json);
  });

  it('names a key of a Struct, and a Struct or list nested too deeply, by its JSON path', () => {
    expect(structPathAsJson(['data', 'fields', 'a\u0000'])).toEqual(['data', 'a\u0000']);
    expect(structPathAsJson(['data', 'fields', 'a', 'structValue'])).toEqual(['data', 'a']);
    expect(structPathAsJson(['data', 'fields', 'a', 'listValue', 'values'])).toEqual(['data', 'a']);
  });

  it('leaves paths outside Structs as they are', () => {
    expect(structPathAsJson(['metadata', 'region'])).toEqual(['metadata', 'region']);
    expect(structPathAsJson(['update_mask', 'paths', 0])).toEqual(['update_mask', 'paths', 0]);
    expect(structPathAsJson([])).toEqual([]);
  });
});
