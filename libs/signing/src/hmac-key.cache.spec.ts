import { createHmac } from 'node:crypto';
import { HmacKeyCache } from './hmac-key.cache';

describe('HmacKeyCache', () => {
  const utf8 = (secret: string) => Buffer.from(secret, 'utf8');

  it('gives the same HMAC as the raw key, and derives each secret once', () => {
    let derived = 0;
    const cache = new HmacKeyCache((secret) => {
      derived += 1;
      return utf8(secret);
    });
    const body = Buffer.from('{"a":1}');
    const expected = createHmac('sha256', 'your-webhook-secret').update(body).digest('hex');
    for (let i = 0; i < 3; i += 1) {
      expect(createHmac('sha256', cache.get('your-webhook-secret')).update(body).digest('hex')).toBe(
        expected,
      );
    }
    expect(derived).toBe(1);
  });

  it('stays bounded and keeps rejecting bad secrets', () => {
    const cache = new HmacKeyCache((secret) => {
      if (secret === '') throw new TypeError('signing secret must not be empty');
      return utf8(secret);
    }, 2);
    cache.get('a');
    cache.get('b');
    cache.get('c');
    expect(() => cache.get('')).toThrow('must not be empty');
    expect(() => cache.get('')).toThrow('must not be empty');
  });
});
