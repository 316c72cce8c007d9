import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_ID_PATTERN, type SecretKeyring } from './secret-keyring';

/**
 * Secrets at rest, sealed with AES-256-GCM:
 *
 *     hl1:<key id>:<nonce, base64url>:<ciphertext then 16-byte tag, base64url>
 *
 * `hl1` is the format's version. The nonce is 12 random bytes per value. The associated data is the
 * version, the key id and the caller's context (which names the value's owner and field), so a
 * sealed value opens only where it was sealed: pasted into another row or field, it fails.
 */
export const SEALED_PREFIX = 'hl1:';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Why a sealed value could not be opened. */
export type SealedValueFailure = 'malformed' | 'unknown-key' | 'not-authentic';

/** A value that could not be opened. The message names the reason and the key id, never the value. */
export class SealedValueError extends Error {
  constructor(
    readonly reason: SealedValueFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SealedValueError';
  }
}

/** A stored value opened: its plaintext, and the key that sealed it (`null` for a legacy plaintext). */
export interface RevealedValue {
  readonly value: string;
  readonly kid: string | null;
}

/** Whether `stored` is in the sealed format (it may still fail to open). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}

/** The key id a sealed value names, or `undefined` for anything else. */
export function sealedKeyId(stored: string): string | undefined {
  if (!isSealed(stored)) return undefined;
  const end = stored.indexOf(':', SEALED_PREFIX.length);
  const kid = end < 0 ? '' : stored.slice(SEALED_PREFIX.length, end);
  return KEY_ID_PATTERN.test(kid) ? kid : undefined;
}

/** Seals and opens values with a keyring; no I/O, safe to share. */
export class SecretSealer {
  constructor(readonly keyring: SecretKeyring) {}

  /** Seals `plaintext` with the active key, bound to `context`. */
  seal(plaintext: string, context: string): string {
    const kid = this.keyring.activeKid;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyring.key(kid)!, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(kid, context));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${SEALED_PREFIX}${kid}:${nonce.toString('base64url')}:${sealed.toString('base64url')}`;
  }

  /** Opens a sealed value; throws `SealedValueError` when it is malformed, its key unknown, or it was altered or moved. */
  open(sealed: string, context: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 4 || `${parts[0]}:` !== SEALED_PREFIX)
      throw new SealedValueError('malformed', 'the value is not in the hl1 sealed format');
    const [, kid, nonceText, bodyText] = parts;
    if (!KEY_ID_PATTERN.test(kid) || !BASE64URL.test(nonceText) || !BASE64URL.test(bodyText))
      throw new SealedValueError('malformed', 'the value is not in the hl1 sealed format');
    const nonce = Buffer.from(nonceText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES)
      throw new SealedValueError('malformed', 'the sealed value has a wrong nonce or tag length');
    const key = this.keyring.key(kid);
    if (!key)
      throw new SealedValueError(
        'unknown-key',
        `the value is sealed with key "${kid}", which is not configured`,
      );
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(kid, context));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SealedValueError(
        'not-authentic',
        `the value sealed with key "${kid}" does not open: it was altered or belongs elsewhere`,
      );
    }
  }

  /**
   * Opens a stored value: a sealed one strictly (as `open`), anything else as the plaintext a store
   * written before sealing holds, until the seal command has sealed it.
   */
  reveal(stored: string, context: string): RevealedValue {
    if (!isSealed(stored)) return { value: stored, kid: null };
    return { value: this.open(stored, context), kid: sealedKeyId(stored) ?? null };
  }

  /** Whether `stored` is sealed with the active key (else the seal command has work to do). */
  isCurrent(stored: string): boolean {
    return sealedKeyId(stored) === this.keyring.activeKid;
  }
}

function associatedData(kid: string, context: string): Buffer {
  return Buffer.from(`${SEALED_PREFIX}${kid}\u0000${context}`, 'utf8');
}
