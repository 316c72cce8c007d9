// Malformed calls to the gRPC admin API: requests built from admin.proto with hostile field values
// (serialised with the service's own loader, so they are valid protobuf carrying bad values), and
// request bytes that are not valid protobuf at all (truncated, wrong wire types, nesting past any
// limit, invalid UTF-8 in strings). Every call goes out as bytes with a passthrough serialiser.
import { hostileString } from './values.mjs';

const PACKAGE = 'hookline.admin.v1';

const INT32 = [-1, 0, 1, 100, 101, 2_147_483_647, -2_147_483_648];
const TIMESTAMPS = [
  { seconds: '9223372036854775807', nanos: 0 },
  { seconds: '-9223372036854775808', nanos: 0 },
  { seconds: '253402300800', nanos: 0 },
  { seconds: '-62135596801', nanos: 0 },
  { seconds: '1700000000', nanos: -1 },
  { seconds: '1700000000', nanos: 1_000_000_000 },
  { seconds: '1700000000', nanos: 2_147_483_647 },
  { seconds: '0', nanos: 0 },
];
const MASKS = [
  ['__proto__'],
  ['url', 'url'],
  [''],
  ['secret'],
  ['events'],
  ['url\u0000'],
  ['description', 'metadata', 'headers', 'active'],
  new Array(1_000).fill('url'),
];

/** A JSON value as a google.protobuf.Value message (plain-object form for the loader). */
function toValueMessage(value) {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  if (Array.isArray(value)) return { listValue: { values: value.map(toValueMessage) } };
  if (typeof value === 'object') return { structValue: toStructMessage(value) };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return { stringValue: String(value) };
}

function toStructMessage(object) {
  return {
    fields: Object.fromEntries(Object.entries(object).map(([key, value]) => [key, toValueMessage(value)])),
  };
}

function nestedObject(depth) {
  let value = { leaf: 'x' };
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

function hostileStruct(r, sample) {
  return r.weighted([
    [2, () => toStructMessage(nestedObject(r.pick([10, 22, 30, 40, 60])))],
    [
      2,
      () =>
        toStructMessage(
          Object.fromEntries([
            [r.pick(['__proto__', 'constructor', 'prototype']), { polluted: true }],
            ...Object.entries(sample),
          ]),
        ),
    ],
    [1, () => toStructMessage({ ...sample, n: r.pick([Number.NaN, Infinity, -Infinity, -0, 1e308]) })],
    [1, () => toStructMessage({ ...sample, list: new Array(r.pick([1_000, 20_000])).fill(1) })],
    [2, () => toStructMessage({ ...sample, s: hostileString(r) })],
    [1, () => toStructMessage(Object.fromEntries([[hostileString(r).slice(0, 2_000), 'v']]))],
  ])();
}

function hostileMap(r) {
  return r.weighted([
    [
      2,
      () =>
        Object.fromEntries([
          [
            r.pick(['__proto__', 'constructor', '', '\u0000', 'k\ud800', 'Bad Name', 'X-A\r\nB']),
            r.pick(['x', 'a\r\nX-Injected: 1', '']),
          ],
        ]),
    ],
    [1, () => Object.fromEntries(Array.from({ length: r.pick([21, 51, 1_000]) }, (_, i) => [`k${i}`, 'v']))],
    [2, () => ({ 'X-Ok': hostileString(r) })],
  ])();
}

/** The methods, each with a request of valid shape and the kinds of its fields. */
function methods(ctx) {
  const type = ctx.eventTypes[0];
  return [
    {
      service: 'OperatorService',
      name: 'CreateTenant',
      auth: 'admin',
      request: () => ({ name: 'fuzz' }),
      fields: { name: 'string' },
    },
    {
      service: 'OperatorService',
      name: 'MintApiKey',
      auth: 'admin',
      request: () => ({ tenant_id: ctx.tenantId, name: 'fuzz' }),
      fields: { tenant_id: 'id', name: 'string' },
    },
    {
      service: 'OperatorService',
      name: 'ListApiKeys',
      auth: 'admin',
      request: () => ({ tenant_id: ctx.tenantId }),
      fields: { tenant_id: 'id' },
    },
    {
      service: 'OperatorService',
      name: 'RevokeApiKey',
      auth: 'admin',
      request: () => ({ tenant_id: ctx.tenantId, key_id: `key_${'0'.repeat(26)}` }),
      fields: { tenant_id: 'id', key_id: 'string' },
    },
    {
      service: 'EndpointService',
      name: 'CreateEndpoint',
      request: () => ({
        url: 'https://hooks.example.com/fuzz',
        events: [type.type],
        description: 'fuzz',
        metadata: { a: 'b' },
        headers: { 'X-Team': 'a' },
      }),
      fields: {
        url: 'string',
        events: 'strings',
        secret: 'string',
        description: 'string',
        metadata: 'map',
        headers: 'map',
        active: 'bool',
      },
    },
    {
      service: 'EndpointService',
      name: 'ListEndpoints',
      request: () => ({ limit: 2 }),
      fields: { limit: 'int32', starting_after: 'string' },
    },
    {
      service: 'EndpointService',
      name: 'GetEndpoint',
      request: () => ({ id: ctx.endpointId }),
      fields: { id: 'id' },
    },
    {
      service: 'EndpointService',
      name: 'UpdateEndpoint',
      request: () => ({
        id: ctx.endpointId,
        description: 'changed',
        update_mask: { paths: ['description'] },
      }),
      fields: {
        id: 'id',
        url: 'string',
        events: 'strings',
        description: 'string',
        metadata: 'map',
        headers: 'map',
        active: 'bool',
        update_mask: 'mask',
      },
    },
    {
      service: 'EndpointService',
      name: 'DeleteEndpoint',
      request: () => ({ id: `wh_${'0'.repeat(26)}` }),
      fields: { id: 'id-no-main' },
    },
    {
      service: 'EndpointService',
      name: 'RotateEndpointSecret',
      request: () => ({ id: ctx.endpointId }),
      fields: { id: 'id', secret: 'string' },
    },
    {
      service: 'EndpointService',
      name: 'SendTestEvent',
      request: () => ({ endpoint_id: ctx.endpointId, type: type.type, data: toStructMessage(type.sample) }),
      fields: { endpoint_id: 'id', type: 'string', data: 'struct' },
    },
    { service: 'EventService', name: 'ListEventTypes', request: () => ({}), fields: {} },
    {
      service: 'EventService',
      name: 'ListEvents',
      request: () => ({ limit: 5 }),
      fields: {
        limit: 'int32',
        starting_after: 'string',
        type: 'string',
        created_gte: 'timestamp',
        created_lte: 'timestamp',
      },
    },
    { service: 'EventService', name: 'GetEvent', request: () => ({ id: ctx.eventId }), fields: { id: 'id' } },
    {
      service: 'DeliveryService',
      name: 'ListDeliveries',
      request: () => ({ endpoint_id: ctx.endpointId, limit: 5 }),
      fields: {
        endpoint_id: 'id',
        limit: 'int32',
        starting_after: 'string',
        status: 'enum',
        created_gte: 'timestamp',
        created_lte: 'timestamp',
      },
    },
    {
      service: 'DeliveryService',
      name: 'GetDelivery',
      request: () => ({ id: ctx.deliveryId }),
      fields: { id: 'id' },
    },
    {
      service: 'DeliveryService',
      name: 'Redeliver',
      request: () => ({ id: ctx.deliveryId }),
      fields: { id: 'id' },
    },
    {
      service: 'DeliveryService',
      name: 'RecoverDeliveries',
      request: () => ({ endpoint_id: ctx.endpointId, since: { seconds: '1700000000', nanos: 0 } }),
      fields: { endpoint_id: 'id', since: 'timestamp', until: 'timestamp' },
    },
  ];
}

function hostileField(r, kind, ctx, sample) {
  switch (kind) {
    case 'id':
    case 'id-no-main':
      return r.pick([
        '',
        `wh_${'Z'.repeat(26)}`,
        'x'.repeat(r.pick([256, 10_000])),
        'a\u0000b',
        '\ud800',
        ctx.eventId,
        ctx.deliveryId,
        kind === 'id' ? ctx.endpointId : ctx.spareEndpointIds[0],
        hostileString(r),
      ]);
    case 'string':
      return r.chance(0.05) ? 'x'.repeat(5 * 1024 * 1024) : hostileString(r);
    case 'strings':
      return r.pick([
        [],
        [hostileString(r)],
        new Array(r.pick([101, 5_000])).fill('user.created'),
        ['*', '*'],
        ['', ''],
      ]);
    case 'int32':
      return r.pick(INT32);
    case 'timestamp':
      return r.pick(TIMESTAMPS);
    case 'enum':
      return r.pick([99, -1, 0, 5, 'DELIVERY_STATUS_FAILED']);
    case 'map':
      return hostileMap(r);
    case 'struct':
      return hostileStruct(r, sample);
    case 'mask':
      return { paths: r.pick(MASKS) };
    case 'bool':
      return r.chance(0.5);
    default:
      return undefined;
  }
}

// Protobuf wire format, by hand, for bytes no encoder writes.
function varint(value) {
  const bytes = [];
  let n = BigInt(value);
  if (n < 0n) n += 1n << 64n;
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0n);
  return Buffer.from(bytes);
}
const tag = (field, wire) => varint((field << 3) | wire);
const delimited = (field, bytes) => Buffer.concat([tag(field, 2), varint(bytes.length), bytes]);

/** A Struct nested `depth` levels (`{"a": {"a": ...}}`) as bytes, built from the inside out. */
export function nestedStructBytes(depth) {
  let struct = Buffer.alloc(0);
  for (let i = 0; i < depth; i += 1) {
    const value = delimited(5, struct); // Value.struct_value
    const entry = Buffer.concat([delimited(1, Buffer.from('a')), delimited(2, value)]); // map entry
    struct = delimited(1, entry); // Struct.fields
  }
  return struct;
}

function malformedBytes(r, valid, method) {
  return r.weighted([
    [
      3,
      () => ({
        bytes: valid.subarray(0, r.int(0, Math.max(0, valid.length - 1))),
        damage: 'truncated message',
      }),
    ],
    [
      2,
      () => {
        const copy = Buffer.from(valid.length > 0 ? valid : Buffer.from([0x0a, 0x00]));
        const at = r.int(0, copy.length - 1);
        copy[at] ^= 1 << r.int(0, 7);
        return { bytes: copy, damage: `bit flipped at ${at}` };
      },
    ],
    [2, () => ({ bytes: r.bytes(r.int(1, 200)), damage: 'random bytes' })],
    [
      1,
      () => ({
        bytes: Buffer.concat([tag(1, r.pick([6, 7])), Buffer.from([1, 2, 3])]),
        damage: 'invalid wire type',
      }),
    ],
    [1, () => ({ bytes: Buffer.from([0x00, 0x01]), damage: 'field number 0' })],
    [
      1,
      () => ({
        bytes: Buffer.concat([tag(1, 2), varint(2 ** 31), Buffer.from('abc')]),
        damage: 'length past the end',
      }),
    ],
    [1, () => ({ bytes: Buffer.concat([tag(1, 0), Buffer.alloc(11, 0xff)]), damage: 'overlong varint' })],
    [
      1,
      () => ({
        bytes: Buffer.concat(new Array(r.pick([101, 1_000])).fill(tag(10, 3))),
        damage: 'groups nested past any limit',
      }),
    ],
    [
      2,
      () => ({
        bytes: delimited(
          1,
          Buffer.from(
            r.pick([
              [0xff, 0xfe],
              [0xc0, 0x80],
              [0xed, 0xa0, 0x80],
              [0x61, 0x00, 0x62],
              [0xf8, 0x88, 0x80, 0x80, 0x80],
            ]),
          ),
        ),
        damage: 'invalid UTF-8 in field 1',
      }),
    ],
    [
      1,
      () => ({
        bytes: Buffer.concat([valid, tag(r.pick([99, 536_870_911]), 2), varint(3), Buffer.from('xyz')]),
        damage: 'unknown field',
      }),
    ],
    [
      method.name === 'SendTestEvent' ? 3 : 0,
      () => ({
        bytes: Buffer.concat([
          delimited(1, Buffer.from('wh_x')),
          delimited(3, nestedStructBytes(r.pick([34, 50, 101, 1_000, 5_000]))),
        ]),
        damage: 'Struct nested past any limit',
      }),
    ],
  ])();
}

/**
 * Builds a gRPC case: `{ transport: 'grpc', path, auth, metadataDamage, bytes, damage }`. `codec`
 * serialises a request object of a method (`codec(service, method, object)` → Buffer).
 */
export function grpcCase(r, ctx, codec) {
  const catalogue = methods(ctx);
  const method = r.pick(catalogue);
  const path = `/${PACKAGE}.${method.service}/${method.name}`;
  const damage = [];
  let request = method.request();
  const sample = ctx.eventTypes[0].sample;
  const fieldNames = Object.keys(method.fields);
  const count = fieldNames.length === 0 ? 0 : r.int(1, Math.min(2, fieldNames.length));
  for (let i = 0; i < count; i += 1) {
    const field = r.pick(fieldNames);
    request = { ...request, [field]: hostileField(r, method.fields[field], ctx, sample) };
    damage.push(`${field}: hostile ${method.fields[field]}`);
  }
  let bytes;
  try {
    bytes = codec(method.service, method.name, request);
  } catch (error) {
    // A value the encoder itself refuses: send the valid request's bytes damaged instead.
    damage.push(`(encoder refused: ${error.message.slice(0, 60)})`);
    bytes = codec(method.service, method.name, method.request());
  }
  const mode = r.weighted([
    [6, 'typed'],
    [4, 'bytes'],
    [1, 'unknown-method'],
  ]);
  let callPath = path;
  if (mode === 'bytes') {
    const malformed = malformedBytes(r, bytes, method);
    bytes = malformed.bytes;
    damage.push(malformed.damage);
  } else if (mode === 'unknown-method') {
    callPath = r.pick([
      `/${PACKAGE}.${method.service}/Nope`,
      '/x/y',
      `/${PACKAGE}.Nope/${method.name}`,
      `${path}/extra`,
    ]);
    damage.push('unknown method');
  }
  const auth = r.weighted([
    [8, method.auth === 'admin' ? 'admin' : 'key'],
    [1, 'missing'],
    // (Two `authorization` values cannot be sent: Node's HTTP/2 client refuses them before anything
    // leaves, and grpc-js then drops the connection with every call on it.)
    [1, r.pick(['malformed', 'wrong-key', 'lowercase-scheme', 'admin-for-tenant'])],
  ]);
  if (auth !== (method.auth === 'admin' ? 'admin' : 'key')) damage.push(`metadata: authorization ${auth}`);
  return {
    transport: 'grpc',
    service: 'subscription-grpc',
    route: `${method.service}/${method.name}`,
    path: callPath,
    auth,
    bytes,
    damage,
  };
}
