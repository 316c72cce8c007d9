import { generateWebhookSecret, sha256HexKey, standardWebhooksKey } from './signing-secret';

describe('standardWebhooksKey', () => {
  it('base64-decodes after whsec_', () => {
    expect(standardWebhooksKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').toString('hex')).toBe(
      '31f290f6bf06298aab4f08d43c3f082cf648a362da2da4b0',
    );
  });

  it('uses the UTF-8 bytes of any other secret', () => {
    expect(standardWebhooksKey('your-webhook-secret')).toEqual(Buffer.from('your-webhook-secret', 'utf8'));
    expect(standardWebhooksKey('clé')).toEqual(Buffer.from([0x63, 0x6c, 0xc3, 0xa9]));
  });

  it.each(['whsec_', 'whsec_abc', 'whsec_ab=c', 'whsec_YW-j', 'whsec_YWJj\n', ''])('refuses %j', (secret) => {
    expect(() => standardWebhooksKey(secret)).toThrow(TypeError);
  });
});

describe('sha256HexKey', () => {
  it('keys even whsec_ secrets with the whole string, as the pages\u2019 receivers do', () => {
    expect(sha256HexKey('whsec_YWJj')).toEqual(Buffer.from('whsec_YWJj', 'utf8'));
  });
});

describe('generateWebhookSecret', () => {
  it('makes a whsec_ secret of 32 random bytes that round-trips', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(standardWebhooksKey(secret)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('uses the injected randomness', () => {
    expect(generateWebhookSecret((size) => new Uint8Array(size).fill(0xff))).toBe(
      `whsec_${Buffer.alloc(32, 0xff).toString('base64')}`,
    );
  });
});
