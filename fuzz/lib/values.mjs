// Hostile values and the mutations that put them into otherwise well-formed JSON requests.
import { deeplyNested, Entries, jsonText, Raw } from './json-text.mjs';

/** Depths of nested arrays/objects tried: just past the services' limit of 64, and far past it. */
export const DEPTHS = [65, 100, 1_000, 10_000, 20_000];

/** Keys that mean something to JavaScript objects, and keys Postgres or a logger may choke on. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x'.repeat(1_000),
  '$where',
  '../..',
  'a.b',
  'a[0]',
];

/** A string meant to break whatever stores, logs, splits or echoes it. */
export function hostileString(r) {
  return r.weighted([
    [3, () => `a${String.fromCharCode(r.int(0, 31))}b`],
    [2, () => 'x\u0000y'],
    [2, () => r.pick(['\ud800', '\udfff', 'a\ud83d', '\ude00b', '\udc00\ud800'])],
    [2, () => 'x'.repeat(r.pick([256, 1_001, 4_097, 70_000, 300_000]))],
    [1, () => 'é'.repeat(r.pick([100, 1_000, 60_000]))],
    [1, () => r.pick(['\u202e', '\u200b', '\uffff', '\ufffe', '\u2028', '\u0085', '\u007f', '😀'])],
    [2, () => r.pick(['a\r\nX-Injected: 1', '\r\n\r\nHTTP/1.1 200 OK', 'a\rb', 'a\nb'])],
    [1, () => r.pick(['', ' ', '\t', '   x   '])],
    [1, () => r.pick(HOSTILE_KEYS)],
    [
      1,
      () =>
        r.pick([
          '%s%n%x',
          '${7*7}',
          '{{7*7}}',
          "'; DROP TABLE tenants; --",
          '../../etc/passwd',
          '%00',
          '\\u0000',
        ]),
    ],
  ])();
}

/** A number JSON allows but no field expects, or a token JSON does not allow at all. */
export function hostileNumber(r) {
  return r.weighted([
    [
      4,
      () =>
        r.pick([
          -1,
          0,
          2 ** 31,
          -(2 ** 31) - 1,
          2 ** 53 + 2,
          1.5,
          Number.MAX_VALUE,
          Number.MIN_VALUE,
          new Raw('-0'),
          new Raw('1e999'),
          new Raw('-1e999'),
          new Raw('1e-999'),
          new Raw('123456789012345678901234567890'),
        ]),
    ],
    [1, () => new Raw('9'.repeat(r.pick([400, 5_000])))],
    [1, () => new Raw(r.pick(['NaN', 'Infinity', '-Infinity', '0x10', '01', '.5', '+1', '1.', '1e', '--1']))],
  ])();
}

/** Any hostile JSON value. */
export function hostileValue(r) {
  return r.weighted([
    [4, () => hostileString(r)],
    [3, () => hostileNumber(r)],
    [1, () => r.pick([true, false, null])],
    [1, () => r.pick([[], {}, [1, 'a'], { a: 1 }, [null], [[]]])],
    [2, () => deeplyNested(r.pick(DEPTHS), r.pick(['array', 'object']))],
    [2, () => prototypeObject(r)],
    [1, () => new Array(r.pick([1_001, 5_000])).fill(r.pick([0, 'x', null]))],
    [1, () => manyKeys(r.pick([1_001, 5_000]))],
  ])();
}

/** An object with a prototype-polluting key, written as JSON writes it (an own member). */
export function prototypeObject(r) {
  const key = r.pick(['__proto__', 'constructor', 'prototype']);
  const inner = r.pick([{ polluted: true }, { prototype: { polluted: true } }, 'x', null, 1]);
  return new Entries([[key, inner]]);
}

function manyKeys(count) {
  const object = {};
  for (let i = 0; i < count; i += 1) object[`k${i}`] = i;
  return object;
}

/** A deep copy of a plain JSON value (a template, before any hostile value is put into it). */
export function copy(value) {
  return JSON.parse(JSON.stringify(value));
}

/** Every path (list of keys/indexes) of a plain JSON value, up to `maxDepth`, the root included. */
export function pathsOf(value, maxDepth = 4) {
  const paths = [[]];
  const walk = (node, path) => {
    if (path.length >= maxDepth || node === null || typeof node !== 'object') return;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      paths.push([...path, key]);
      walk(node[key], [...path, key]);
    }
  };
  walk(value, []);
  return paths;
}

function setAt(root, path, value) {
  if (path.length === 0) return value;
  let node = root;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path[path.length - 1]] = value;
  return root;
}

function deleteAt(root, path) {
  if (path.length === 0) return root;
  let node = root;
  for (const key of path.slice(0, -1)) node = node[key];
  if (Array.isArray(node)) node.splice(path[path.length - 1], 1);
  else delete node[path[path.length - 1]];
  return root;
}

/**
 * Applies one structural mutation to a copy of `template` (a plain JSON value): a field replaced by
 * a hostile value (or by one of `specials[field]`, values aimed at that field), an unknown or
 * prototype key added, a field removed, a key given twice, or the whole body replaced. Returns the
 * mutated value and a label saying what was done.
 */
export function mutateJson(r, template, specials = {}) {
  const value = copy(template);
  const paths = pathsOf(value);
  const op = r.weighted([
    [5, 'replace'],
    [2, 'special'],
    [2, 'add-key'],
    [1, 'remove'],
    [2, 'duplicate-key'],
    [1, 'replace-root'],
  ]);
  const fieldNames = Object.keys(specials);
  if (op === 'special' && fieldNames.length > 0) {
    const field = r.pick(fieldNames);
    const special = r.pick(specials[field]);
    return {
      value: setAt(value, [field], typeof special === 'function' ? special(r) : special),
      label: `${field}: aimed value`,
    };
  }
  if (op === 'add-key') {
    const containers = paths.filter((path) => isObject(getAt(value, path)));
    const path = containers.length > 0 ? r.pick(containers) : [];
    const key = r.pick(HOSTILE_KEYS);
    const container = getAt(value, path);
    if (!isObject(container)) return { value: hostileValue(r), label: 'root: hostile value' };
    const entries = Object.entries(container);
    entries.push([key, r.chance(0.5) ? hostileValue(r) : { polluted: true }]);
    return {
      value: setAt(value, path, new Entries(entries)),
      label: `${describePath(path)}: key ${JSON.stringify(key.slice(0, 20))} added`,
    };
  }
  if (op === 'remove' && paths.length > 1) {
    const path = r.pick(paths.slice(1));
    return { value: deleteAt(value, path), label: `${describePath(path)}: removed` };
  }
  if (op === 'duplicate-key' && isObject(value) && Object.keys(value).length > 0) {
    const key = r.pick(Object.keys(value));
    const entries = Object.entries(value);
    entries.push([key, hostileValue(r)]);
    if (r.chance(0.5)) entries.unshift([key, hostileValue(r)]);
    return { value: new Entries(entries), label: `${key}: given twice` };
  }
  if (op === 'replace-root') return { value: hostileValue(r), label: 'root: hostile value' };
  const path = paths.length > 1 ? r.pick(paths.slice(1)) : [];
  return { value: setAt(value, path, hostileValue(r)), label: `${describePath(path)}: hostile value` };
}

function getAt(root, path) {
  let node = root;
  for (const key of path) node = node?.[key];
  return node;
}

function isObject(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Raw) &&
    !(value instanceof Entries)
  );
}

function describePath(path) {
  return path.length === 0 ? '$' : path.map((key) => (typeof key === 'number' ? `[${key}]` : key)).join('.');
}

const INVALID_UTF8 = [
  [0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x80],
  [0xf4, 0x90, 0x80, 0x80],
];

/**
 * Serialises a (possibly mutated) body and, now and then, damages the bytes: truncated, invalid
 * UTF-8 or a raw control character inside a string, a byte-order mark, trailing garbage, random
 * bytes, nothing at all.
 */
export function bodyBytes(r, value) {
  const text = jsonText(value);
  const op = r.weighted([
    [10, 'none'],
    [3, 'truncate'],
    [2, 'invalid-utf8'],
    [1, 'raw-control'],
    [1, 'bom'],
    [1, 'trailing'],
    [1, 'random'],
    [1, 'empty'],
  ]);
  const bytes = Buffer.from(text, 'utf8');
  const insideString = () => {
    const quotes = [];
    for (let i = 0; i < bytes.length && quotes.length < 64; i += 1) if (bytes[i] === 0x22) quotes.push(i + 1);
    return quotes.length > 0 ? r.pick(quotes) : r.int(0, bytes.length);
  };
  switch (op) {
    case 'truncate':
      return { body: bytes.subarray(0, r.int(0, Math.max(0, bytes.length - 1))), damage: 'truncated' };
    case 'invalid-utf8': {
      const at = insideString();
      return {
        body: Buffer.concat([bytes.subarray(0, at), Buffer.from(r.pick(INVALID_UTF8)), bytes.subarray(at)]),
        damage: 'invalid UTF-8',
      };
    }
    case 'raw-control': {
      const at = insideString();
      return {
        body: Buffer.concat([bytes.subarray(0, at), Buffer.from([r.int(0, 31)]), bytes.subarray(at)]),
        damage: 'raw control character',
      };
    }
    case 'bom':
      return { body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]), damage: 'byte-order mark' };
    case 'trailing':
      return {
        body: Buffer.concat([bytes, Buffer.from(r.pick([' x', '}', ']]', '\u0000', ',{}', '\n{"a":1}']))]),
        damage: 'trailing garbage',
      };
    case 'random':
      return { body: r.bytes(r.int(1, 300)), damage: 'random bytes' };
    case 'empty':
      return { body: Buffer.alloc(0), damage: 'empty' };
    default:
      return { body: bytes, damage: undefined };
  }
}
