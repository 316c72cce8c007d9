import { randomBytes as cryptoRandomBytes } from 'node:crypto';

/** Prefix of Standard Webhooks secrets: `whsec_` then the base64 of the key bytes. */
export const WHSEC_PREFIX = 'whsec_';

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The HMAC key of a secret for Standard Webhooks signatures.
 *
 * - `whsec_<base64>`: the decoded bytes, as the spec and the `standardwebhooks` package do. Decoding is
 *   strict (standard alphabet, padded) because Node's lenient decoder would silently drop bad
 *   characters and sign with a key the receiver never derives.
 * - anything else (e.g. `your-webhook-secret`, as registered on the reference pages): its UTF-8 bytes,
 *   the same key the `sha256=` scheme uses, so one secret means one key. The `standardwebhooks`
 *   package would instead base64-decode such a secret (and throw on `-`), so its receivers must
 *   construct `new Webhook(secret, { format: 'raw' })`, which matches for ASCII secrets.
 *
 * Throws on an empty key or a malformed `whsec_` secret; the message never contains the secret.
 */
export function standardWebhooksKey(secret: string): Buffer {
  let key: Buffer;
  if (secret.startsWith(WHSEC_PREFIX)) {
    const encoded = secret.slice(WHSEC_PREFIX.length);
    if (!STRICT_BASE64.test(encoded)) throw new TypeError('whsec_ secret is not valid padded base64');
    key = Buffer.from(encoded, 'base64');
  } else {
    key = Buffer.from(secret, 'utf8');
  }
  if (key.length === 0) throw new TypeError('signing secret must not be empty');
  return key;
}

/**
 * The HMAC key of a secret for `sha256=` signatures: the secret string's UTF-8 bytes, whole, even
 * for `whsec_` secrets, because that is what every receiver on the reference pages computes
 * (`crypto.createHmac('sha256', secret)`, `secret.encode('utf-8')`).
 */
export function sha256HexKey(secret: string): Buffer {
  if (secret.length === 0) throw new TypeError('signing secret must not be empty');
  return Buffer.from(secret, 'utf8');
}

/** Creates a new `whsec_` secret holding 32 random bytes (the spec asks for 24 to 64). */
export function generateWebhookSecret(randomBytes: (size: number) => Uint8Array = cryptoRandomBytes): string {
  return WHSEC_PREFIX + Buffer.from(randomBytes(32)).toString('base64');
}
