import { createHmac } from 'node:crypto';
import { signSha256Hex, verifySha256Hex } from './sha256-hex.signature';

const body = Buffer.from('{"id":"evt_1","type":"user.created","data":{"name":"Zoë"}}', 'utf8');

describe('signSha256Hex', () => {
  it('is sha256= and the hex HMAC of the exact bytes keyed with the UTF-8 secret', () => {
    const expected = createHmac('sha256', 'your-webhook-secret').update(body).digest('hex');
    expect(signSha256Hex(body, 'your-webhook-secret')).toBe(`sha256=${expected}`);
  });

  it('signs bytes, not a re-serialisation: whitespace changes the signature', () => {
    const spaced = Buffer.from('{"id": "evt_1"}');
    const compact = Buffer.from('{"id":"evt_1"}');
    expect(signSha256Hex(spaced, 's')).not.toBe(signSha256Hex(compact, 's'));
  });

  it('accepts a plain Uint8Array', () => {
    expect(signSha256Hex(new Uint8Array(body), 'k')).toBe(signSha256Hex(body, 'k'));
  });

  it('refuses an empty secret', () => {
    expect(() => signSha256Hex(body, '')).toThrow(TypeError);
  });
});

describe('verifySha256Hex', () => {
  const header = signSha256Hex(body, 'current');

  it('accepts its own signature and says which secret matched', () => {
    expect(verifySha256Hex(body, header, ['current'])).toEqual({ ok: true, secretIndex: 0 });
    expect(verifySha256Hex(body, header, ['next', 'current'])).toEqual({ ok: true, secretIndex: 1 });
  });

  it('accepts uppercase hex', () => {
    expect(verifySha256Hex(body, `sha256=${header.slice(7).toUpperCase()}`, ['current']).ok).toBe(true);
  });

  it('rejects a tampered body', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('Zoë', 'Zoe'), 'utf8');
    expect(verifySha256Hex(tampered, header, ['current'])).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a wrong secret', () => {
    expect(verifySha256Hex(body, header, ['other'])).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([undefined, null, ''])('reports a missing header (%p)', (value) => {
    expect(verifySha256Hex(body, value, ['current'])).toEqual({ ok: false, reason: 'missing-header' });
  });

  it.each([
    'sha256=test',
    header.slice(7),
    `sha1=${header.slice(7)}`,
    `${header}00`,
    'sha256=' + 'g'.repeat(64),
  ])('reports a malformed header %#', (value) => {
    expect(verifySha256Hex(body, value, ['current'])).toEqual({ ok: false, reason: 'malformed-header' });
  });

  it('requires at least one secret', () => {
    expect(() => verifySha256Hex(body, header, [])).toThrow(TypeError);
  });
});
