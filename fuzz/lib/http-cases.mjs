// Malformed HTTP requests to ingest and the subscription REST API: a well-formed request of one of
// their routes, then one or more of its parts (body, path, query, headers, method, version, framing)
// damaged. Everything goes out as raw bytes (raw-http.mjs).
import { gzipSync } from 'node:zlib';
import { jsonText } from './json-text.mjs';
import { bodyBytes, copy, hostileString, mutateJson } from './values.mjs';

const VALID_URL = 'https://hooks.example.com/fuzz';

/** Values aimed at particular fields of an endpoint registration. */
const ENDPOINT_SPECIALS = {
  url: [
    'https://example.com/\r\nX-Injected: 1',
    'https://example.com/%0d%0aX-Injected:%201',
    'https://exa\u0000mple.com/',
    'https://user:pass@example.com/',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'https://',
    'https://[::1',
    `https://example.com/${'a'.repeat(3_000)}`,
    'https://\ud800.example.com/',
    'https://example.com:99999/',
    ' https://example.com/ ',
  ],
  headers: [
    { 'X-Ok': 'a\r\nX-Injected: 1' },
    { 'X-A\r\nX-Injected': '1' },
    { 'X-Ok': 'a\u0000b' },
    { 'X-Ok': 'a\nb' },
    { 'Bad Name': 'x' },
    { '': 'x' },
    Object.fromEntries([['__proto__', 'x']]),
    { constructor: 'x' },
    { 'X-Ok': ' padded ' },
    { 'X-Ok': 'é' },
    { 'Content-Length': '0' },
    { Host: 'evil.example.com' },
    { 'X-Ok': 'x'.repeat(1_001) },
    { 'X-Ok': 12 },
    (r) => Object.fromEntries(Array.from({ length: r.pick([21, 500]) }, (_, i) => [`X-H${i}`, 'v'])),
    (r) => ({ 'X-Ok': hostileString(r) }),
  ],
  metadata: [
    Object.fromEntries([['__proto__', 'x']]),
    Object.fromEntries([['constructor', { prototype: 'x' }]]),
    { '': 'x' },
    { ['k'.repeat(41)]: 'v' },
    { k: 'v'.repeat(501) },
    { k: 1 },
    (r) => Object.fromEntries(Array.from({ length: r.pick([51, 1_000]) }, (_, i) => [`k${i}`, 'v'])),
    (r) => ({ k: hostileString(r) }),
  ],
  events: [
    ['*', '*'],
    ['user.*'],
    ['nope.*'],
    [''],
    ['user.created\u0000'],
    (r) => Array.from({ length: r.pick([101, 5_000]) }, () => 'user.created'),
    'user.created',
  ],
  secret: [
    'short',
    'whsec_!!!',
    'whsec_',
    `whsec_${'A'.repeat(200)}`,
    'x'.repeat(257),
    'with space inside',
    '\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000',
  ],
  description: [(r) => hostileString(r), 'x'.repeat(501)],
  active: ['true', 1, null, 'yes'],
};

/** The routes, each with a weight, its method, path, whether it needs the tenant key or the admin token, and a body. */
function routes(ctx) {
  const type = ctx.eventTypes[0];
  const event = () => ({ type: type.type, data: copy(type.sample) });
  const endpoint = () => ({
    url: VALID_URL,
    events: [type.type],
    description: 'fuzz',
    metadata: { team: 'a' },
    headers: { 'X-Team': 'a' },
  });
  const id = (kind) => ({ kind });
  return {
    ingest: [
      { weight: 8, method: 'POST', path: ['v1', 'events'], auth: 'key', body: event, specials: {} },
      {
        weight: 3,
        method: 'POST',
        path: ['v1', 'events'],
        auth: 'key',
        body: () => [event(), event()],
        specials: {},
      },
      {
        weight: 3,
        method: 'POST',
        path: ['v1', 'events'],
        auth: 'key',
        body: () => ({ events: [event(), event()] }),
        specials: {},
      },
      { weight: 1, method: 'GET', path: ['v1', 'events'], auth: 'key' },
      {
        weight: 1,
        method: 'GET',
        path: [ctx.pick(['healthz', 'readyz', 'metrics', 'docs', 'nope'])],
        auth: 'none',
      },
    ],
    subscription: [
      {
        weight: 5,
        method: 'POST',
        path: ['v1', 'webhooks'],
        auth: 'key',
        body: endpoint,
        specials: ENDPOINT_SPECIALS,
      },
      {
        weight: 3,
        method: ctx.pick(['PATCH', 'PUT']),
        path: ['v1', 'webhooks', id('endpoint')],
        auth: 'key',
        body: () => ({ description: 'changed', metadata: { a: 'b' } }),
        specials: {
          ...ENDPOINT_SPECIALS,
          clear: [['description'], ['url'], ['__proto__'], 'description', [1]],
        },
      },
      { weight: 2, method: 'GET', path: ['v1', 'webhooks'], auth: 'key', query: ['limit', 'starting_after'] },
      { weight: 2, method: 'GET', path: ['v1', 'webhooks', id('endpoint')], auth: 'key' },
      { weight: 1, method: 'DELETE', path: ['v1', 'webhooks', id('spare')], auth: 'key' },
      {
        weight: 1,
        method: 'POST',
        path: ['v1', 'webhooks', id('endpoint'), 'rotate-secret'],
        auth: 'key',
        body: () => ({ secret: 'a-secret-of-enough-length' }),
        specials: { secret: ENDPOINT_SPECIALS.secret },
      },
      {
        weight: 2,
        method: 'POST',
        path: ['v1', 'webhooks', id('endpoint'), 'test'],
        auth: 'key',
        body: () => ({ type: type.type, data: copy(type.sample) }),
        specials: {},
      },
      {
        weight: 2,
        method: 'GET',
        path: ['v1', 'webhooks', id('endpoint'), 'deliveries'],
        auth: 'key',
        query: ['limit', 'starting_after', 'status', 'created[gte]', 'created[lte]'],
      },
      {
        weight: 1,
        method: 'POST',
        path: ['v1', 'webhooks', id('endpoint'), 'recover'],
        auth: 'key',
        body: () => ({ since: '2024-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' }),
        specials: {
          since: ['2024-02-30', '99999999999', '-1', '2024-01-01T00:00:00', 1e308],
          until: ['1970-01-01'],
        },
      },
      { weight: 2, method: 'GET', path: ['v1', 'deliveries', id('delivery')], auth: 'key' },
      { weight: 1, method: 'POST', path: ['v1', 'deliveries', id('delivery'), 'redeliver'], auth: 'key' },
      { weight: 1, method: 'GET', path: ['v1', 'event-types'], auth: 'key' },
      {
        weight: 2,
        method: 'GET',
        path: ['v1', 'events'],
        auth: 'key',
        query: ['limit', 'starting_after', 'type', 'created[gte]', 'created[lte]'],
      },
      { weight: 2, method: 'GET', path: ['v1', 'events', id('event')], auth: 'key' },
      {
        weight: 1,
        method: 'POST',
        path: ['v1', 'admin', 'tenants'],
        auth: 'admin',
        body: () => ({ name: 'fuzz tenant' }),
        specials: { name: ['', 'x'.repeat(201), (r) => hostileString(r)] },
      },
      {
        weight: 1,
        method: 'POST',
        path: ['v1', 'admin', 'tenants', id('tenant'), 'api-keys'],
        auth: 'admin',
        body: () => ({ name: 'fuzz key' }),
        specials: { name: ['', 'x'.repeat(101)] },
      },
      { weight: 1, method: 'GET', path: ['v1', 'admin', 'tenants', id('tenant'), 'api-keys'], auth: 'admin' },
      {
        weight: 1,
        method: 'DELETE',
        path: ['v1', 'admin', 'tenants', id('tenant'), 'api-keys', id('random-key')],
        auth: 'admin',
      },
      {
        weight: 1,
        method: 'GET',
        path: [ctx.pick(['healthz', 'readyz', 'metrics', 'docs', 'openapi.json', 'nope', ''])],
        auth: 'none',
      },
    ],
  };
}

/** Replacements of an id in a path: real ones, random ones, and what a path should never hold. */
function pathSegment(r, kind, ctx, damage) {
  const real = {
    endpoint: ctx.endpointId,
    spare: r.pick(ctx.spareEndpointIds),
    delivery: ctx.deliveryId,
    event: ctx.eventId,
    tenant: ctx.tenantId,
    'random-key': `key_${'0'.repeat(26)}`,
  }[kind];
  if (!damage) return { text: encodeURIComponent(real), label: undefined };
  return r.weighted([
    [2, () => ({ text: `${real.slice(0, 4)}${'Z'.repeat(26)}`, label: 'unknown id' })],
    [
      2,
      () => ({
        text: r.pick([
          '%00',
          'a%00b',
          '%ZZ',
          '%',
          '%ED%A0%80',
          '%C0%80',
          '%FF',
          '%F0%9F',
          '%0D%0A',
          '%E2%80%AE',
        ]),
        label: 'bad percent-encoding in id',
      }),
    ],
    [2, () => ({ text: 'a'.repeat(r.pick([256, 5_000, 15_000, 20_000, 100_000])), label: 'long id' })],
    [
      1,
      () => ({
        text: r.pick(['..', '%2e%2e', '..%2f..%2f', '.', '%2F', '//', ';x', '%3B', '~', '*']),
        label: 'path trick in id',
      }),
    ],
    [
      2,
      () => ({
        text: r.pick([
          'a b',
          'a\tb',
          'a\u0000b',
          'a\rb',
          'a\nb',
          'a\u007fb',
          'é',
          'a\u00ffb',
          'a"b',
          'a<b>',
          'a{b}',
          'a|b',
          'a\\b',
          'a^b',
          'a`b',
        ]),
        label: 'raw byte in path',
      }),
    ],
    [
      1,
      () => ({
        text: `${encodeURIComponent(real)}${r.pick(['?', '#', '?#', '#x', '?a=1#b'])}`,
        label: 'id with ? or #',
      }),
    ],
  ])();
}

const QUERY_VALUES = [
  '-1',
  '0',
  '101',
  '1e309',
  '1.5',
  'NaN',
  '',
  '%00',
  '%ZZ',
  '%ED%A0%80',
  'a'.repeat(300),
  'x'.repeat(5_000),
  '2024-02-30',
  '99999999999',
  '2024-01-01T00:00:00',
  'true',
  '__proto__',
];

function query(r, names) {
  const parts = [];
  const count = r.int(1, 4);
  for (let i = 0; i < count; i += 1) {
    const shape = r.weighted([
      [6, 'plain'],
      [2, 'array'],
      [2, 'bracket'],
      [1, 'prototype'],
      [1, 'many'],
    ]);
    const name = r.pick(names ?? ['limit', 'x']);
    const value = r.pick(QUERY_VALUES);
    if (shape === 'plain') parts.push(`${encodeName(name)}=${value}`);
    else if (shape === 'array')
      parts.push(`${encodeName(name)}=1&${encodeName(name)}=${value}`, `${encodeName(name)}[]=${value}`);
    else if (shape === 'bracket')
      parts.push(`${encodeName(name)}[a][b]=${value}`, `${encodeName(name)}[gte][x]=${value}`);
    else if (shape === 'prototype')
      parts.push(
        r.pick([
          '__proto__[x]=1',
          'constructor[prototype][x]=1',
          'toString=1',
          'hasOwnProperty=x',
          '__proto__=1',
        ]),
      );
    else parts.push(Array.from({ length: r.pick([1_001, 3_000]) }, (_, k) => `p${k}=1`).join('&'));
  }
  return parts.join('&');
}

function encodeName(name) {
  return name.replace('[', '%5B').replace(']', '%5D');
}

const CONTENT_TYPES = [
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset="utf-8"',
  'application/json;;;',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/cloudevents+json',
  'application/json\u0001',
  '',
  '*/*',
  'application/json; charset=' + 'x'.repeat(500),
];

/** Header damage that any HTTP client library would refuse to send; raw sockets send it. */
const RAW_HEADER_DAMAGE = [
  ['X-Nul', Buffer.from('a\u0000b', 'latin1')],
  ['X-Cr', Buffer.from('a\rb', 'latin1')],
  ['X-Lf', Buffer.from('a\nb', 'latin1')],
  ['X-Fold', Buffer.from('a\r\n folded', 'latin1')],
  [Buffer.from('Bad Name', 'latin1'), 'x'],
  [Buffer.from('X(:', 'latin1'), 'x'],
  [Buffer.from('X\u0000Y', 'latin1'), 'x'],
  [Buffer.from('', 'latin1'), 'x'],
  [Buffer.from('Xé', 'latin1'), 'x'],
  ['X-High', Buffer.from([0x61, 0xff, 0xfe, 0x62])],
  ['X-Utf8', Buffer.from('é😀', 'utf8')],
  ['X-Del', Buffer.from('a\u007fb', 'latin1')],
];

/** Builds case `index` of the HTTP kind; `r` is its random source, `ctx` the run's tenant and ids. */
export function httpCase(r, ctx) {
  const service = r.chance(0.45) ? 'ingest' : 'subscription';
  const catalogue = routes({ ...ctx, pick: r.pick })[service];
  const route = r.weighted(catalogue.map((entry) => [entry.weight, entry]));
  const damage = [];
  // What to damage: mostly the body, else the path, query, headers or framing; sometimes two.
  const targets = new Set();
  const rounds = r.chance(0.25) ? 2 : 1;
  for (let i = 0; i < rounds; i += 1)
    targets.add(
      r.weighted([
        [route.body ? 8 : 0, 'body'],
        [2, 'path'],
        [route.query ? 3 : 1, 'query'],
        [3, 'headers'],
        [1, 'method'],
        [1, 'version'],
        [1, 'framing'],
      ]),
    );

  let method = route.method;
  let pathText = '';
  for (const segment of route.path) {
    if (typeof segment === 'string') {
      pathText += `/${segment}`;
      continue;
    }
    const chosen = pathSegment(r, segment.kind, ctx, targets.has('path') && r.chance(0.8));
    if (chosen.label) damage.push(`path: ${chosen.label}`);
    pathText += `/${chosen.text}`;
  }
  if (targets.has('path') && damage.length === 0) {
    const extra = r.pick([
      '/%00',
      '/a b',
      `/${'p'.repeat(r.pick([9_000, 20_000, 100_000]))}`,
      '//',
      '/%ZZ',
      '/\u0001',
      '/é',
      '/..%2f..%2fetc%2fpasswd',
    ]);
    pathText += extra;
    damage.push('path: damaged suffix');
  }
  if (route.query || targets.has('query')) {
    if (targets.has('query')) {
      pathText += `?${query(r, route.query)}`;
      damage.push('query: hostile parameters');
    } else if (route.query && r.chance(0.3)) pathText += '?limit=2';
  }

  const headers = [['Host', `127.0.0.1:${ctx.ports[service]}`]];
  if (route.auth === 'key') headers.push(['Authorization', `Bearer ${ctx.apiKey}`]);
  if (route.auth === 'admin') headers.push(['Authorization', `Bearer ${ctx.adminToken}`]);

  let body;
  let framing = 'length';
  if (route.body) {
    let value = route.body();
    if (targets.has('body') || r.chance(0.1)) {
      const mutated = mutateJson(r, value, route.specials);
      value = mutated.value;
      damage.push(`body: ${mutated.label}`);
    }
    const bytes = targets.has('body') ? bodyBytes(r, value) : { body: Buffer.from(jsonText(value), 'utf8') };
    if (bytes.damage) damage.push(`body: ${bytes.damage}`);
    body = bytes.body;
    headers.push(['Content-Type', 'application/json']);
  }

  if (targets.has('headers')) {
    const kind = r.weighted([
      [3, 'raw'],
      [2, 'content-type'],
      [2, 'content-encoding'],
      [2, 'authorization'],
      [2, 'ingest-headers'],
      [1, 'host'],
      [1, 'huge'],
      [1, 'expect'],
    ]);
    if (kind === 'raw') {
      headers.push(r.pick(RAW_HEADER_DAMAGE));
      damage.push('headers: invalid bytes');
    } else if (kind === 'content-type') {
      setHeader(headers, 'Content-Type', r.pick(CONTENT_TYPES));
      if (!body) body = Buffer.from('{}');
      damage.push('headers: Content-Type');
    } else if (kind === 'content-encoding') {
      const encoding = r.pick([
        'gzip',
        'gzip-garbage',
        'br',
        'deflate',
        'compress',
        'x-unknown',
        'gzip, gzip',
        'identity',
      ]);
      if (!body) body = Buffer.from('{}');
      if (encoding === 'gzip') body = gzipSync(body);
      setHeader(headers, 'Content-Encoding', encoding === 'gzip-garbage' ? 'gzip' : encoding);
      damage.push(`headers: Content-Encoding ${encoding}`);
    } else if (kind === 'authorization') {
      const value = r.pick([
        '',
        'Bearer',
        'Bearer ',
        'Basic dXNlcjpwYXNz',
        `Bearer ${ctx.apiKey}x`,
        `bearer ${ctx.apiKey}`,
        `Bearer  ${ctx.apiKey}`,
        `Bearer ${'k'.repeat(10_000)}`,
        Buffer.from([0x42, 0x65, 0x61, 0x72, 0x65, 0x72, 0x20, 0xff, 0xfe]),
        `Bearer ${ctx.adminToken}`,
      ]);
      if (r.chance(0.3)) headers.push(['Authorization', value]);
      else setHeader(headers, 'Authorization', value);
      damage.push('headers: Authorization');
    } else if (kind === 'ingest-headers') {
      headers.push([
        r.pick(['Idempotency-Key', 'X-Request-Id']),
        r.pick(['', ' ', 'a b', 'x'.repeat(256), Buffer.from([0xc3, 0xa9]), 'k\t', '\u007f']),
      ]);
      damage.push('headers: Idempotency-Key / X-Request-Id');
    } else if (kind === 'host') {
      const choice = r.pick(['missing', 'twice', 'garbage']);
      if (choice === 'missing') removeHeader(headers, 'Host');
      else if (choice === 'twice') headers.push(['Host', 'other.example.com']);
      else setHeader(headers, 'Host', r.pick(['', 'a b', 'x'.repeat(300), '[::1', 'host:99999']));
      damage.push(`headers: Host ${choice}`);
    } else if (kind === 'huge') {
      if (r.chance(0.5)) headers.push(['X-Huge', 'h'.repeat(r.pick([9_000, 17_000, 70_000]))]);
      else for (let i = 0; i < r.pick([101, 2_100]); i += 1) headers.push([`X-Many-${i}`, 'v']);
      damage.push('headers: too large');
    } else {
      headers.push(['Expect', r.pick(['100-continue', 'foo', '200-ok'])]);
      damage.push('headers: Expect');
    }
  }

  let version = 'HTTP/1.1';
  if (targets.has('method')) {
    method = r.pick([
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
      'TRACE',
      'FOO',
      'get',
      'CONNECT',
      'M-SEARCH',
      'PROPFIND',
      'P OST',
      'G\u0000ET',
    ]);
    damage.push(`method: ${JSON.stringify(method)}`);
  }
  if (targets.has('version')) {
    version = r.pick([
      'HTTP/1.0',
      'HTTP/2.0',
      'HTTP/1.2',
      'HTTP/9.9',
      'http/1.1',
      'HTTP/1.1 x',
      'HTTP/',
      'HTTP/1.1\u0000',
    ]);
    damage.push(`version: ${JSON.stringify(version)}`);
  }
  if (targets.has('framing')) {
    const kind = r.pick(['chunked', 'bad-chunk', 'cl-and-te', 'cl-bad', 'cl-twice', 'te-gzip', 'cl-short']);
    if (!body) body = Buffer.from('{}');
    if (kind === 'chunked') framing = 'chunked';
    else if (kind === 'bad-chunk') {
      framing = 'none';
      headers.push(['Transfer-Encoding', 'chunked']);
      body = Buffer.from(
        r.pick([
          'zz\r\n{}\r\n0\r\n\r\n',
          '2\r\n{}\r\n-1\r\n\r\n',
          '1;' + 'e'.repeat(20_000) + '\r\n{\r\n0\r\n\r\n',
          'fffffffffffffffff\r\n{}\r\n0\r\n\r\n',
        ]),
      );
    } else if (kind === 'cl-and-te') {
      framing = 'none';
      headers.push(['Content-Length', String(body.length)], ['Transfer-Encoding', 'chunked']);
      body = Buffer.concat([
        Buffer.from(`${body.length.toString(16)}\r\n`),
        body,
        Buffer.from('\r\n0\r\n\r\n'),
      ]);
    } else if (kind === 'cl-bad') {
      framing = 'none';
      headers.push(['Content-Length', r.pick(['abc', '-1', '1 1', '0x10', '+5', ''])]);
    } else if (kind === 'cl-twice') {
      framing = 'none';
      headers.push(['Content-Length', String(body.length)], ['Content-Length', String(body.length + 1)]);
    } else if (kind === 'te-gzip') {
      framing = 'none';
      headers.push(['Transfer-Encoding', 'gzip']);
    } else {
      // A Content-Length shorter than the body: the rest is read as a second, garbage request.
      framing = 'none';
      headers.push(['Content-Length', String(Math.max(0, body.length - 1))]);
    }
    damage.push(`framing: ${kind}`);
  }
  return {
    transport: 'http',
    service,
    route: `${route.method} /${route.path.map((s) => (typeof s === 'string' ? s : `:${s.kind}`)).join('/')}`,
    damage,
    request: { method, path: pathText, version, headers, body, framing },
  };
}

function setHeader(headers, name, value) {
  removeHeader(headers, name);
  headers.push([name, value]);
}

function removeHeader(headers, name) {
  for (let i = headers.length - 1; i >= 0; i -= 1)
    if (String(headers[i][0]).toLowerCase() === name.toLowerCase()) headers.splice(i, 1);
}
