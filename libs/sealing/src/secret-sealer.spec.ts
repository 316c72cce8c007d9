import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { SecretKeyring } from './secret-keyring';
import { isSealed, SealedValueError, sealedKeyId, SecretSealer } from './secret-sealer';

const key = () => randomBytes(32);
const CONTEXT = 'endpoint\u0000ten_1\u0000wh_1\u0000secret';

function failure(run: () => unknown): SealedValueError {
  try {
    run();
  } catch (error) {
    if (error instanceof SealedValueError) return error;
    throw error;
  }
  throw new Error('expected a SealedValueError');
}

describe('SecretSealer', () => {
  const k1 = { kid: 'k1', key: key() };
  const k2 = { kid: 'k2', key: key() };
  const sealer = new SecretSealer(SecretKeyring.of([k1]));

  it('round-trips, in the versioned text format, with a fresh nonce each time', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw Zoë 🔑';
    const a = sealer.seal(secret, CONTEXT);
    const b = sealer.seal(secret, CONTEXT);

    expect(a).toMatch(/^hl1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('whsec_');
    expect(sealer.open(a, CONTEXT)).toBe(secret);
    expect(sealer.open(b, CONTEXT)).toBe(secret);
    expect(isSealed(a)).toBe(true);
    expect(sealedKeyId(a)).toBe('k1');
    expect(sealer.seal('', CONTEXT)).toMatch(/^hl1:k1:/);
    expect(sealer.open(sealer.seal('', CONTEXT), CONTEXT)).toBe('');
  });

  it('refuses a tampered ciphertext, tag or nonce', () => {
    const sealed = sealer.seal('the secret', CONTEXT);
    const [prefix, kid, nonce, body] = sealed.split(':');
    const flip = (text: string, at: number) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[at] ^= 0x01;
      return bytes.toString('base64url');
    };
    for (const tampered of [
      [prefix, kid, nonce, flip(body, 0)].join(':'),
      [prefix, kid, nonce, flip(body, Buffer.from(body, 'base64url').length - 1)].join(':'),
      [prefix, kid, flip(nonce, 3), body].join(':'),
    ]) {
      expect(failure(() => sealer.open(tampered, CONTEXT)).reason).toBe('not-authentic');
    }
  });

  it('refuses a value moved to another owner or field (associated data)', () => {
    const sealed = sealer.seal('the secret', CONTEXT);
    for (const elsewhere of [
      'endpoint\u0000ten_2\u0000wh_1\u0000secret',
      'endpoint\u0000ten_1\u0000wh_2\u0000secret',
      'endpoint\u0000ten_1\u0000wh_1\u0000previous_secret',
    ]) {
      const error = failure(() => sealer.open(sealed, elsewhere));
      expect(error.reason).toBe('not-authentic');
      expect(error.message).not.toContain('the secret');
    }
  });

  it('refuses malformed values and values of a key it does not hold, naming the key id only', () => {
    for (const malformed of ['hl1:k1:abc', 'hl1:k1:!!:??', 'hl1:k 1:AAAA:AAAA', 'hl1:k1:AAAA:AAAA']) {
      expect(failure(() => sealer.open(malformed, CONTEXT)).reason).toBe('malformed');
    }
    const foreign = new SecretSealer(SecretKeyring.of([k2])).seal('the secret', CONTEXT);
    const error = failure(() => sealer.open(foreign, CONTEXT));
    expect(error.reason).toBe('unknown-key');
    expect(error.message).toContain('"k2"');
  });

  it('rotates: the new active key seals, the old one still opens what it sealed', () => {
    const before = sealer.seal('old value', CONTEXT);
    const rotated = new SecretSealer(SecretKeyring.of([k2, k1]));
    const after = rotated.seal('new value', CONTEXT);

    expect(sealedKeyId(after)).toBe('k2');
    expect(rotated.open(before, CONTEXT)).toBe('old value');
    expect(rotated.open(after, CONTEXT)).toBe('new value');
    expect(rotated.isCurrent(before)).toBe(false);
    expect(rotated.isCurrent(after)).toBe(true);
    // Once the old key is removed, its values no longer open.
    expect(failure(() => new SecretSealer(SecretKeyring.of([k2])).open(before, CONTEXT)).reason).toBe(
      'unknown-key',
    );
  });

  it('reveals a legacy plaintext value as it is, and a sealed one strictly', () => {
    expect(sealer.reveal('your-webhook-secret', CONTEXT)).toEqual({
      value: 'your-webhook-secret',
      kid: null,
    });
    expect(sealer.reveal(sealer.seal('x', CONTEXT), CONTEXT)).toEqual({ value: 'x', kid: 'k1' });
    expect(sealer.isCurrent('your-webhook-secret')).toBe(false);
    const sealed = sealer.seal('x', CONTEXT);
    expect(failure(() => sealer.reveal(sealed, `${CONTEXT}!`)).reason).toBe('not-authentic');
  });
});

describe('SecretKeyring', () => {
  it('puts the first key first, and never shows key bytes', () => {
    const material = key();
    const ring = SecretKeyring.of([
      { kid: 'new', key: material },
      { kid: 'old', key: key() },
    ]);
    expect(ring.activeKid).toBe('new');
    expect(ring.kids).toEqual(['new', 'old']);
    for (const shown of [JSON.stringify({ ring }), inspect(ring), String(inspect({ ring }))]) {
      expect(shown).not.toContain(material.toString('base64'));
      expect(shown).not.toContain(material.toString('hex'));
    }
  });

  it('refuses no keys, a repeated id, a bad id and a key of the wrong length', () => {
    expect(() => SecretKeyring.of([])).toThrow(/at least one key/);
    expect(() =>
      SecretKeyring.of([
        { kid: 'a', key: key() },
        { kid: 'a', key: key() },
      ]),
    ).toThrow(/"a" appears more than once/);
    expect(() => SecretKeyring.of([{ kid: 'a:b', key: key() }])).toThrow(/key id/);
    expect(() => SecretKeyring.of([{ kid: 'short', key: randomBytes(16) }])).toThrow(/32 bytes .* got 16/);
  });

  it('derives the same development key in every process', () => {
    const a = new SecretSealer(SecretKeyring.development());
    const b = new SecretSealer(SecretKeyring.development());
    expect(a.keyring.development).toBe(true);
    expect(a.keyring.activeKid).toBe('dev');
    expect(b.open(a.seal('x', CONTEXT), CONTEXT)).toBe('x');
  });
});
