import { AddressPolicy } from '@hookline/egress';
import { ValidationError } from '../errors/domain.errors';
import {
  type EndpointInputRules,
  parseCreateEndpoint,
  parseRotateSecret,
  parseUpdateEndpoint,
} from './endpoint-input.validator';

// Development posture: hosts are not judged at registration.
const hookline: EndpointInputRules = {
  allowHttpUrls: false,
  brandHeaderPrefix: 'X-Hookline',
  hostPolicy: undefined,
};
const appmint: EndpointInputRules = {
  allowHttpUrls: false,
  brandHeaderPrefix: 'X-Appmint',
  hostPolicy: undefined,
};
// Production posture.
const production: EndpointInputRules = { ...hookline, hostPolicy: new AddressPolicy() };

function fieldsOf(run: () => unknown): Array<{ field: string; message: string }> {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return [...error.fields];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseCreateEndpoint', () => {
  it('applies the documented defaults', () => {
    expect(parseCreateEndpoint({ url: 'https://example.com/h', events: ['user.created'] }, hookline)).toEqual(
      {
        url: 'https://example.com/h',
        events: ['user.created'],
        secret: undefined,
        description: null,
        metadata: {},
        headers: {},
        active: true,
      },
    );
  });

  it('drops repeated event patterns, keeping the first occurrence', () => {
    const command = parseCreateEndpoint(
      { url: 'https://e.com', events: ['user.*', 'user.*', '*'] },
      hookline,
    );
    expect(command.events).toEqual(['user.*', '*']);
  });

  it('accepts http only when the deployment allows it', () => {
    const body = { url: 'http://localhost:3000/webhooks', events: ['*'] };
    expect(fieldsOf(() => parseCreateEndpoint(body, hookline))).toEqual([
      { field: 'url', message: 'must use https' },
    ]);
    expect(parseCreateEndpoint(body, { ...hookline, allowHttpUrls: true }).url).toBe(body.url);
    expect(
      fieldsOf(() =>
        parseCreateEndpoint({ ...body, url: 'ftp://x.com' }, { ...hookline, allowHttpUrls: true }),
      ),
    ).toEqual([{ field: 'url', message: 'must use https or http' }]);
  });

  it('reserves the active brand\u2019s headers, case-insensitively, and only that brand\u2019s', () => {
    const body = (headers: Record<string, string>) => ({ url: 'https://e.com', events: ['*'], headers });
    expect(fieldsOf(() => parseCreateEndpoint(body({ 'x-appmint-event-id': 'x' }), appmint))).toEqual([
      { field: 'headers.x-appmint-event-id', message: 'is reserved: the sender sets it on every delivery' },
    ]);
    expect(parseCreateEndpoint(body({ 'X-Appmint-Custom': 'x' }), hookline).headers).toEqual({
      'X-Appmint-Custom': 'x',
    });
    expect(
      parseCreateEndpoint(body({ Authorization: 'Bearer t', 'X-Custom-Header': 'v' }), appmint).headers,
    ).toEqual({
      Authorization: 'Bearer t',
      'X-Custom-Header': 'v',
    });
  });

  it('accepts Standard Webhooks secrets of 24 to 64 bytes only', () => {
    const whsec = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;
    const body = (secret: string) => ({ url: 'https://e.com', events: ['*'], secret });
    expect(parseCreateEndpoint(body(whsec(24)), hookline).secret).toBe(whsec(24));
    expect(parseCreateEndpoint(body(whsec(64)), hookline).secret).toBe(whsec(64));
    expect(fieldsOf(() => parseCreateEndpoint(body(whsec(16)), hookline))).toEqual([
      { field: 'secret', message: 'a whsec_ secret must hold 24 to 64 bytes' },
    ]);
  });

  it('never repeats a secret in an error message', () => {
    const fields = fieldsOf(() =>
      parseCreateEndpoint({ url: 'https://e.com', events: ['*'], secret: 'has spaces in it' }, hookline),
    );
    expect(JSON.stringify(fields)).not.toContain('has spaces');
  });

  it('refuses a body that is not an object', () => {
    expect(fieldsOf(() => parseCreateEndpoint([1, 2], hookline))).toEqual(
      expect.arrayContaining([{ field: 'body', message: 'must be a JSON object' }]),
    );
  });
});

describe('parseUpdateEndpoint', () => {
  it('returns only the fields given', () => {
    expect(parseUpdateEndpoint({ events: ['user.created'] }, hookline)).toEqual({ events: ['user.created'] });
    expect(parseUpdateEndpoint({}, hookline)).toEqual({});
    expect(parseUpdateEndpoint(undefined, hookline)).toEqual({});
  });

  it('ignores the read-only fields of a fetched endpoint', () => {
    const fetched = {
      id: 'wh_1',
      object: 'webhook_endpoint',
      created: 1,
      updated: 2,
      version: 3,
      active: false,
    };
    expect(parseUpdateEndpoint(fetched, hookline)).toEqual({ active: false });
  });

  it('leaves null fields and empty lists and maps unchanged, as generated clients send them', () => {
    const generated = {
      url: null,
      events: [],
      description: null,
      metadata: {},
      headers: {},
      active: null,
      clear: [],
      secret: null,
    };
    expect(parseUpdateEndpoint(generated, hookline)).toEqual({});
    expect(parseUpdateEndpoint({ ...generated, events: ['user.*'] }, hookline)).toEqual({
      events: ['user.*'],
    });
  });

  it('clears description, metadata and headers only through clear', () => {
    expect(parseUpdateEndpoint({ clear: ['metadata', 'headers', 'description'] }, hookline)).toEqual({
      description: null,
      metadata: {},
      headers: {},
    });
    expect(parseUpdateEndpoint({ clear: ['headers'], metadata: {}, description: null }, hookline)).toEqual({
      headers: {},
    });
  });

  it('refuses to clear what an endpoint cannot be without, or a field also given a value', () => {
    expect(
      fieldsOf(() =>
        parseUpdateEndpoint(
          { clear: ['url', 'events', 'colour', 'metadata'], metadata: { a: '1' } },
          hookline,
        ),
      ),
    ).toEqual([
      { field: 'clear[0]', message: 'url cannot be cleared: an endpoint always has one' },
      { field: 'clear[1]', message: 'events cannot be cleared: an endpoint always has one' },
      {
        field: 'clear[2]',
        message: '"colour" is not a clearable field (description, metadata, headers)',
      },
      { field: 'clear[3]', message: 'metadata is also given a value; send one or the other' },
    ]);
    expect(fieldsOf(() => parseUpdateEndpoint({ clear: 'metadata' }, hookline))).toEqual([
      { field: 'clear', message: 'must be a list of field names (description, metadata, headers)' },
    ]);
  });
});

describe('parseCreateEndpoint with what generated clients send', () => {
  it('reads null as absent and empty maps as the empty default', () => {
    expect(
      parseCreateEndpoint(
        {
          url: 'https://e.com',
          events: ['*'],
          secret: null,
          description: null,
          metadata: {},
          headers: {},
          active: null,
        },
        hookline,
      ),
    ).toEqual({
      url: 'https://e.com',
      events: ['*'],
      secret: undefined,
      description: null,
      metadata: {},
      headers: {},
      active: true,
    });
    expect(fieldsOf(() => parseCreateEndpoint({ url: null, events: [] }, hookline))).toEqual([
      { field: 'url', message: 'is required' },
      { field: 'events', message: 'must be a non-empty array of event types' },
    ]);
  });
});

describe('parseRotateSecret', () => {
  it('returns undefined without a body and the secret given otherwise', () => {
    expect(parseRotateSecret(undefined)).toBeUndefined();
    expect(parseRotateSecret({})).toBeUndefined();
    expect(parseRotateSecret({ secret: 'a-new-secret' })).toBe('a-new-secret');
    expect(fieldsOf(() => parseRotateSecret({ secret: 42 }))).toEqual([
      { field: 'secret', message: 'must be a string' },
    ]);
  });
});

describe('endpoint URL hosts and characters', () => {
  const create = (url: string, rules: EndpointInputRules = production) =>
    fieldsOf(() => parseCreateEndpoint({ url, events: ['*'] }, rules));

  it.each([
    ['https://127.0.0.1/hooks', 'a loopback address'],
    ['https://2130706433/', 'a loopback address'],
    ['https://0177.0.0.1/', 'a loopback address'],
    ['https://0x7f.0.0.1/', 'a loopback address'],
    ['https://127.1/', 'a loopback address'],
    ['https://[::ffff:127.0.0.1]/', 'a loopback address'],
    ['https://[::127.0.0.1]/', 'a loopback address'],
    ['https://localhost/', 'a loopback address'],
    ['https://hooks.localhost/', 'a loopback address'],
    ['https://169.254.169.254/latest/meta-data/', 'a cloud metadata address'],
    ['https://[64:ff9b::a9fe:a9fe]/', 'a cloud metadata address'],
    ['https://[2002:a9fe:a9fe::]/', 'a cloud metadata address'],
    ['https://[2001::a9fe:a9fe]/', 'an unspecified address'],
    ['https://10.1.2.3/', 'a private network address'],
  ])('refuses %s in production, naming the class', (url, phrase) => {
    expect(create(url)).toEqual([{ field: 'url', message: `must not point to ${phrase}` }]);
  });

  it('accepts names and public addresses in production, and internal ones the operator allows', () => {
    for (const url of ['https://example.com/h', 'https://8.8.8.8/h', 'https://[2606:4700::1111]/h']) {
      expect(parseCreateEndpoint({ url, events: ['*'] }, production).url).toBe(url);
    }
    const allowed = { ...production, hostPolicy: new AddressPolicy(['10.0.0.0/8']) };
    expect(parseCreateEndpoint({ url: 'https://10.1.2.3/h', events: ['*'] }, allowed).url).toBe(
      'https://10.1.2.3/h',
    );
  });

  it('leaves internal hosts to the dispatcher in development', () => {
    expect(parseCreateEndpoint({ url: 'https://127.0.0.1/h', events: ['*'] }, hookline).url).toBe(
      'https://127.0.0.1/h',
    );
  });

  it('judges the url of an update the same way', () => {
    expect(fieldsOf(() => parseUpdateEndpoint({ url: 'https://[::1]/' }, production))).toEqual([
      { field: 'url', message: 'must not point to a loopback address' },
    ]);
  });

  it.each([
    ['a line feed', 'https://example.com/a\nb'],
    ['CR LF', 'https://example.com/\r\nHost: evil'],
    ['a tab', 'https://exam\tple.com/'],
    ['a space', 'https://example.com/a b'],
    ['a trailing space', 'https://example.com/ '],
    ['NUL', 'https://example.com/\u0000'],
    ['DEL', 'https://example.com/\u007f'],
  ])('refuses a url holding %s in every posture', (_case, url) => {
    const expected = [
      { field: 'url', message: 'must not contain spaces, tabs, line breaks or other control characters' },
    ];
    expect(create(url, production)).toEqual(expected);
    expect(create(url, { ...hookline, allowHttpUrls: true })).toEqual(expected);
  });
});
