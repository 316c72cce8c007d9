import { createHmac, timingSafeEqual } from 'node:crypto';
import { HmacKeyCache } from './hmac-key.cache';
import { sha256HexKey } from './signing-secret';

const keys = new HmacKeyCache(sha256HexKey);

/**
 * The reference pages' scheme: `X-<Brand>-Signature: sha256=<hex HMAC-SHA256(body)>`. It signs the
 * body alone (no timestamp), which is what the pages' receivers check; replay protection comes from
 * the Standard Webhooks headers sent alongside.
 */

const PREFIX = 'sha256=';
const HEADER_PATTERN = /^sha256=([0-9a-fA-F]{64})$/;

/** Signs the exact bytes sent: `sha256=` + lowercase hex HMAC-SHA256 keyed with the secret's UTF-8 bytes. */
export function signSha256Hex(body: Uint8Array, secret: string): string {
  return PREFIX + digest(body, secret).toString('hex');
}

/** Why a `sha256=` signature was not accepted. */
export type Sha256HexRejection = 'missing-header' | 'malformed-header' | 'bad-signature';

/** Outcome of checking a `sha256=` signature; `secretIndex` says which secret matched. */
export type Sha256HexVerification =
  | { readonly ok: true; readonly secretIndex: number }
  | { readonly ok: false; readonly reason: Sha256HexRejection };

/**
 * Checks a `sha256=<hex>` header against the body with each secret in turn (several while a secret
 * rotates), comparing digests in constant time.
 */
export function verifySha256Hex(
  body: Uint8Array,
  header: string | null | undefined,
  secrets: readonly string[],
): Sha256HexVerification {
  if (secrets.length === 0) throw new TypeError('at least one secret is required');
  if (header === undefined || header === null || header === '')
    return { ok: false, reason: 'missing-header' };
  const match = HEADER_PATTERN.exec(header.trim());
  if (!match) return { ok: false, reason: 'malformed-header' };
  const provided = Buffer.from(match[1], 'hex');
  for (const [secretIndex, secret] of secrets.entries()) {
    if (timingSafeEqual(provided, digest(body, secret))) return { ok: true, secretIndex };
  }
  return { ok: false, reason: 'bad-signature' };
}

function digest(body: Uint8Array, secret: string): Buffer {
  return createHmac('sha256', keys.get(secret)).update(body).digest();
}
