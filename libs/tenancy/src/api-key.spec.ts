import { API_KEY_PREFIX, bearerToken, hashApiKey, mintApiKey } from './api-key';

describe('API keys', () => {
  it('mints distinct prefixed keys whose hash is the SHA-256 of the key', () => {
    const a = mintApiKey();
    const b = mintApiKey();
    expect(a.key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(a.key).not.toBe(b.key);
    expect(a.key.length).toBeGreaterThanOrEqual(API_KEY_PREFIX.length + 43);
    expect(a.prefix).toBe(a.key.slice(0, 12));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(a.key)).toBe(a.hash);
  });

  it.each([
    [undefined, { ok: false, reason: 'missing' }],
    ['', { ok: false, reason: 'missing' }],
    ['Basic abc', { ok: false, reason: 'malformed' }],
    ['Bearer', { ok: false, reason: 'malformed' }],
    ['Bearer a b', { ok: false, reason: 'malformed' }],
    ['Bearer YOUR_API_KEY', { ok: true, token: 'YOUR_API_KEY' }],
    ['bearer  k1 ', { ok: true, token: 'k1' }],
  ])('reads %p', (header, expected) => expect(bearerToken(header)).toEqual(expected));
});
