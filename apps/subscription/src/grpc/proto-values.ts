/**
 * Conversions between the protobuf well-known types of `admin.proto` and the plain values the use
 * cases take and return.
 */
import type { PathSegment } from '@hookline/events';

/** A `google.protobuf.Timestamp`; `seconds` is a string when read (64-bit), either when written. */
export interface TimestampMessage {
  readonly seconds: string | number;
  readonly nanos: number;
}

/** A `google.protobuf.Value`: exactly one of its members is set; `kind` names it when read. */
export interface ValueMessage {
  readonly kind?: string;
  readonly nullValue?: 'NULL_VALUE' | 0;
  readonly numberValue?: number;
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly structValue?: StructMessage | null;
  readonly listValue?: { readonly values: readonly ValueMessage[] } | null;
}

/** A `google.protobuf.Struct`: a JSON object. */
export interface StructMessage {
  readonly fields: Readonly<Record<string, ValueMessage>>;
}

const MS_PER_SECOND = 1_000;
const NANOS_PER_MS = 1_000_000;

/** The Timestamp of an instant. */
export function toTimestamp(date: Date): TimestampMessage {
  const ms = date.getTime();
  const seconds = Math.floor(ms / MS_PER_SECOND);
  return { seconds: String(seconds), nanos: (ms - seconds * MS_PER_SECOND) * NANOS_PER_MS };
}

/** The Timestamp of an instant, or unset (`null`) for none. */
export function toOptionalTimestamp(date: Date | null | undefined): TimestampMessage | null {
  return date ? toTimestamp(date) : null;
}

/**
 * A Timestamp as the ISO 8601 text the use cases' instant fields accept (millisecond precision);
 * `undefined` when unset. An out-of-range Timestamp yields text the use cases reject, so the caller
 * hears which field is wrong in the same words as any other bad instant.
 */
export function timestampToIso(timestamp: TimestampMessage | null | undefined): string | undefined {
  if (!timestamp) return undefined;
  const seconds = Number(timestamp.seconds);
  const nanos = timestamp.nanos;
  if (!Number.isSafeInteger(seconds) || !Number.isInteger(nanos) || nanos < 0 || nanos >= 1e9) {
    return `invalid Timestamp ${timestamp.seconds}s ${nanos}ns`;
  }
  const date = new Date(seconds * MS_PER_SECOND + Math.floor(nanos / NANOS_PER_MS));
  return Number.isNaN(date.getTime()) ? `invalid Timestamp ${timestamp.seconds}s` : date.toISOString();
}

/** The Struct of a JSON object; members that JSON cannot hold (`undefined`, functions) are left out. */
export function toStruct(object: Readonly<Record<string, unknown>>): StructMessage {
  // Built from entries, so a key such as `__proto__` is a member like any other, not the prototype.
  const fields = Object.fromEntries(
    Object.entries(object).flatMap(([key, value]) => {
      const converted = toValue(value);
      return converted === undefined ? [] : [[key, converted]];
    }),
  ) as Record<string, ValueMessage>;
  return { fields };
}

/** The Value of a JSON value; `undefined` for what JSON cannot hold. */
export function toValue(value: unknown): ValueMessage | undefined {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      // JSON has no NaN or Infinity; JSON.stringify writes them as null, and so do we.
      return Number.isFinite(value) ? { numberValue: value } : { nullValue: 'NULL_VALUE' };
    case 'object':
      if (Array.isArray(value)) {
        return { listValue: { values: value.map((item) => toValue(item) ?? { nullValue: 'NULL_VALUE' }) } };
      }
      if (value instanceof Date) return { stringValue: value.toISOString() };
      return { structValue: toStruct(value as Record<string, unknown>) };
    default:
      return undefined;
  }
}

/** The JSON object a Struct holds. */
export function fromStruct(struct: StructMessage): Record<string, unknown> {
  // As JSON.parse does: `__proto__` and `constructor` become members, never the object's prototype.
  return Object.fromEntries(
    Object.entries(struct.fields ?? {}).map(([key, value]) => [key, fromValue(value)]),
  );
}

/** The JSON value a Value holds; a Value with no member set is `null`, as protobuf's JSON mapping reads it. */
export function fromValue(value: ValueMessage): unknown {
  switch (value.kind ?? memberOf(value)) {
    case 'stringValue':
      return value.stringValue;
    case 'numberValue':
      return value.numberValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return value.structValue ? fromStruct(value.structValue) : {};
    case 'listValue':
      return (value.listValue?.values ?? []).map(fromValue);
    default:
      return null;
  }
}

const VALUE_MEMBERS: ReadonlySet<PathSegment> = new Set([
  'kind',
  'nullValue',
  'numberValue',
  'stringValue',
  'boolValue',
  'structValue',
  'listValue',
]);

/**
 * A field path through a decoded message, with every Struct in it read as the JSON it holds:
 * `data.fields.address.structValue.fields.city.stringValue` becomes `data.address.city` and
 * `data.fields.tags.listValue.values[1].stringValue` becomes `data.tags[1]`, the names the use cases
 * (and REST) give those fields.
 */
export function structPathAsJson(path: readonly PathSegment[]): PathSegment[] {
  const json: PathSegment[] = [];
  let index = 0;
  while (index < path.length) {
    const key = path[index + 1];
    const member = path[index + 2];
    const intoStruct =
      path[index] === 'fields' &&
      typeof key === 'string' &&
      (member === undefined || VALUE_MEMBERS.has(member));
    if (!intoStruct) {
      json.push(path[index]);
      index += 1;
      continue;
    }
    json.push(key);
    index += 2;
    // Through the Value: a list goes on with an item (another Value), a Struct with its `fields`.
    while (
      path[index] === 'listValue' &&
      path[index + 1] === 'values' &&
      typeof path[index + 2] === 'number'
    ) {
      json.push(path[index + 2]);
      index += 3;
    }
    if (path[index] === 'listValue' && path[index + 1] === 'values') index += 2;
    else if (index < path.length && VALUE_MEMBERS.has(path[index])) index += 1;
  }
  return json;
}

// Values built in code (rather than decoded) carry no `kind`; the member that is present tells.
function memberOf(value: ValueMessage): string | undefined {
  const members = ['stringValue', 'numberValue', 'boolValue', 'structValue', 'listValue'] as const;
  return members.find((member) => value[member] !== undefined && value[member] !== null);
}
