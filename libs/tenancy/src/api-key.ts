import { createHash, randomBytes } from 'node:crypto';

/** Every API key starts with this, so leaked keys are easy to spot by secret scanners. */
export const API_KEY_PREFIX = 'hl_sk_';
/** How many leading characters of a key are stored in clear and shown in listings. */
export const API_KEY_VISIBLE_CHARS = 12;

/** A freshly minted key: `key` is shown once; only `hash` and `prefix` are stored. */
export interface MintedApiKey {
  readonly key: string;
  readonly prefix: string;
  readonly hash: string;
}

// What `mintApiKey` produces: the prefix, then 32 bytes in base64url (43 characters, no padding).
const MINTED_KEY = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{43}$`);

/** Every operator key starts with this; hashed and looked up as API keys are, in its own table. */
export const OPERATOR_KEY_PREFIX = 'hlo_sk_';

const MINTED_OPERATOR_KEY = new RegExp(`^${OPERATOR_KEY_PREFIX}[A-Za-z0-9_-]{43}$`);

/** Mints a key with 32 random bytes (base64url) after `prefix` (a tenant API key's by default). */
export function mintApiKey(
  prefix: typeof API_KEY_PREFIX | typeof OPERATOR_KEY_PREFIX = API_KEY_PREFIX,
): MintedApiKey {
  const key = prefix + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, API_KEY_VISIBLE_CHARS), hash: hashApiKey(key) };
}

/**
 * The clear part of a key (as stored in `api_keys.prefix`) when it has the shape of a minted key;
 * `undefined` for anything else, which no lookup can find.
 */
export function apiKeyPrefix(key: string): string | undefined {
  return MINTED_KEY.test(key) ? key.slice(0, API_KEY_VISIBLE_CHARS) : undefined;
}

/** As `apiKeyPrefix`, for operator keys (`OPERATOR_KEY_PREFIX`). */
export function operatorKeyPrefix(key: string): string | undefined {
  return MINTED_OPERATOR_KEY.test(key) ? key.slice(0, API_KEY_VISIBLE_CHARS) : undefined;
}

/** Lower-case hex SHA-256 of a key, as stored in `api_keys.hash`. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The key in an `Authorization: Bearer <key>` header, or why there is none. */
export function bearerToken(
  header: string | undefined,
):
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' } {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? { ok: true, token: match[1] } : { ok: false, reason: 'malformed' };
}
