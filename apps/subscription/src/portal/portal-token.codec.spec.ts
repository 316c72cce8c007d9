import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { SecretKeyring } from '@hookline/sealing';
import { PORTAL_TOKEN_PREFIX, PortalTokenCodec, type PortalTokenClaims } from './portal-token.codec';

const NOW = 1_765_000_000_000;
const claims: PortalTokenClaims = { sid: 'ps_01JA', tenant: 'ten_01JB', ro: true, exp: NOW / 1000 + 3600 };
const keyA = { kid: 'a', key: randomBytes(32) };
const keyB = { kid: 'b', key: randomBytes(32) };

function codec(keys = [keyA], now = NOW): PortalTokenCodec {
  return new PortalTokenCodec(SecretKeyring.of(keys), () => now);
}

function parts(token: string): { payload: string; mac: string } {
  const [payload, mac] = token.slice(PORTAL_TOKEN_PREFIX.length).split('.');
  return { payload, mac };
}

describe('PortalTokenCodec', () => {
  it('mints hlp_<base64url claims>.<base64url HMAC-SHA256> and reads its own tokens back', () => {
    const token = codec().mint(claims);
    expect(token).toMatch(/^hlp_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(JSON.parse(Buffer.from(parts(token).payload, 'base64url').toString('utf8'))).toEqual(claims);
    expect(codec().verify(token)).toEqual({ ok: true, claims });
    expect(PortalTokenCodec.isPortalToken(token)).toBe(true);
    expect(PortalTokenCodec.isPortalToken('hl_sk_abc')).toBe(false);
  });

  it('signs with a key derived from the active keyring key under a fixed label, never the key itself', () => {
    const token = codec([keyA, keyB]).mint(claims);
    const signed = token.slice(0, token.lastIndexOf('.'));
    const derived = Buffer.from(
      hkdfSync('sha256', keyA.key, Buffer.alloc(0), 'hookline portal session token v1', 32),
    );
    expect(parts(token).mac).toBe(createHmac('sha256', derived).update(signed).digest('base64url'));
    expect(parts(token).mac).not.toBe(createHmac('sha256', keyA.key).update(signed).digest('base64url'));
  });

  it('accepts tokens of any keyring key, so a key rotation keeps live sessions; refuses other keys', () => {
    const beforeRotation = codec([keyA]).mint(claims);
    expect(codec([keyB, keyA]).verify(beforeRotation).ok).toBe(true);
    expect(codec([keyB]).verify(beforeRotation)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a token whose claims or signature were changed', () => {
    const token = codec().mint(claims);
    const { payload, mac } = parts(token);
    const widened = Buffer.from(JSON.stringify({ ...claims, ro: false })).toString('base64url');
    const otherTenant = Buffer.from(JSON.stringify({ ...claims, tenant: 'ten_OTHER' })).toString('base64url');
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
    for (const tampered of [
      `${PORTAL_TOKEN_PREFIX}${widened}.${mac}`,
      `${PORTAL_TOKEN_PREFIX}${otherTenant}.${mac}`,
      `${PORTAL_TOKEN_PREFIX}${payload}.${flipped}`,
    ])
      expect(codec().verify(tampered)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses an expired token, and one at the very second it expires', () => {
    const token = codec().mint(claims);
    expect(codec([keyA], claims.exp * 1000 - 1).verify(token).ok).toBe(true);
    expect(codec([keyA], claims.exp * 1000).verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(codec([keyA], claims.exp * 1000 + 60_000).verify(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses malformed tokens without looking further', () => {
    const token = codec().mint(claims);
    for (const malformed of [
      '',
      'hlp_',
      'hlp_.',
      token.replace('.', ''),
      `${token}.x`,
      `${token}=`,
      token.replace(PORTAL_TOKEN_PREFIX, 'hlx_'),
      `hlp_${'A'.repeat(2000)}.${parts(token).mac}`,
    ])
      expect([malformed.slice(0, 20), codec().verify(malformed)]).toEqual([
        malformed.slice(0, 20),
        { ok: false, reason: 'malformed' },
      ]);
  });

  it('refuses a correctly signed payload that does not hold the claims (defence in depth)', () => {
    const derived = Buffer.from(
      hkdfSync('sha256', keyA.key, Buffer.alloc(0), 'hookline portal session token v1', 32),
    );
    const sign = (body: unknown) => {
      const signed = PORTAL_TOKEN_PREFIX + Buffer.from(JSON.stringify(body)).toString('base64url');
      return `${signed}.${createHmac('sha256', derived).update(signed).digest('base64url')}`;
    };
    for (const body of [
      { ...claims, ro: 'no' },
      { ...claims, exp: '9999999999' },
      { sid: claims.sid, ro: false, exp: claims.exp },
      [claims],
      null,
    ])
      expect(codec().verify(sign(body))).toEqual({ ok: false, reason: 'malformed' });
  });
});
