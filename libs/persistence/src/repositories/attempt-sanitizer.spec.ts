import { errorMessageExcerpt, redactHeaders, redactRequestHeaders, utf8Excerpt } from './attempt-sanitizer';

describe('utf8Excerpt', () => {
  it('keeps text that fits', () => {
    expect(utf8Excerpt('hello', 5)).toBe('hello');
  });

  it('never cuts a multi-byte character in half', () => {
    // '😀' is 4 bytes: 1 + 4 + 4 = 9 bytes, so 8 allows only 'a😀'.
    expect(utf8Excerpt('a😀😀', 8)).toBe('a😀');
    expect(utf8Excerpt('a😀😀', 4)).toBe('a');
    expect(utf8Excerpt('ééé', 5)).toBe('éé');
  });

  it('replaces NUL, which Postgres text cannot hold', () => {
    expect(utf8Excerpt('a\u0000b')).toBe('a\uFFFDb');
  });
});

describe('redactHeaders', () => {
  it('hides credential-like headers whatever their case, and keeps the rest', () => {
    expect(
      redactHeaders({
        AUTHORIZATION: 'Bearer x',
        'proxy-authorization': 'Basic y',
        Cookie: 'a=b',
        'X-Webhook-Secret': 's',
        'x-auth-token': 't',
        'x-apikey': 'k',
        'content-type': 'application/json',
        'x-appmint-signature': 'sha256=abc',
      }),
    ).toEqual({
      AUTHORIZATION: '[redacted]',
      'proxy-authorization': '[redacted]',
      Cookie: '[redacted]',
      'X-Webhook-Secret': '[redacted]',
      'x-auth-token': '[redacted]',
      'x-apikey': '[redacted]',
      'content-type': 'application/json',
      'x-appmint-signature': 'sha256=abc',
    });
  });
});

describe('errorMessageExcerpt', () => {
  it('shortens long messages', () => {
    const excerpt = errorMessageExcerpt('x'.repeat(5_000));
    expect(excerpt).toHaveLength(2_001);
    expect(excerpt.endsWith('…')).toBe(true);
  });
});

describe('redactRequestHeaders', () => {
  it("keeps the endpoint's custom headers by name only, and Hookline's own as sent", () => {
    expect(
      redactRequestHeaders(
        {
          'X-Team': 'core',
          authorization: 'Bearer downstream',
          'content-type': 'application/json',
          'X-Hookline-Signature': 'sha256=abc',
          'webhook-signature': 'v1,xyz',
        },
        ['x-team', 'Authorization'],
      ),
    ).toEqual({
      'X-Team': '[redacted]',
      authorization: '[redacted]',
      'content-type': 'application/json',
      'X-Hookline-Signature': 'sha256=abc',
      'webhook-signature': 'v1,xyz',
    });
  });
});
