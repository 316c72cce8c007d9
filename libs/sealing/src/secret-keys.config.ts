import type { EnvReader } from '@hookline/config';
import { SECRET_KEY_BYTES, SecretKeyring, type SecretKeyMaterial } from './secret-keyring';

/** Environment key holding the keyring inline: `kid:base64key[,kid:base64key…]`, active key first. */
export const SECRET_KEYS_ENV = 'HOOKLINE_SECRET_KEYS';
/** Environment key naming a file with the same content (one key per line or comma-separated). */
export const SECRET_KEYS_FILE_ENV = 'HOOKLINE_SECRET_KEYS_FILE';

/** Logged by a service that runs on the development key. */
export const DEVELOPMENT_KEY_WARNING =
  `${SECRET_KEYS_ENV} is not set: signing secrets and custom header values are sealed with the built-in ` +
  'development key, which anyone can derive. Development only; production (NODE_ENV=production) refuses it.';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Outcome of parsing a keyring's text: its keys, or every problem found (never quoting key bytes). */
export type SecretKeysParse =
  | { readonly ok: true; readonly keys: readonly SecretKeyMaterial[] }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Parses `kid:base64key` entries separated by commas or new lines; blank lines and lines starting
 * with `#` are skipped. Each key must decode (standard or URL-safe base64) to 32 bytes; ids must be
 * unique. The first entry is the active key.
 */
export function parseSecretKeys(text: string): SecretKeysParse {
  const entries = text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const problems: string[] = [];
  const keys: SecretKeyMaterial[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const kid = colon > 0 ? entry.slice(0, colon).trim() : '';
    const encoded = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (kid === '' || encoded === '') {
      problems.push(`entry ${index + 1} is not "kid:base64key"`);
      return;
    }
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(kid)) {
      problems.push(`entry ${index + 1}: the key id must be 1-32 letters, digits, "_" or "-"`);
      return;
    }
    if (seen.has(kid)) {
      problems.push(`key id "${kid}" appears more than once`);
      return;
    }
    seen.add(kid);
    if (!BASE64.test(encoded) && !BASE64URL.test(encoded)) {
      problems.push(`key "${kid}" is not base64`);
      return;
    }
    const key = Buffer.from(encoded, BASE64.test(encoded) ? 'base64' : 'base64url');
    if (key.length !== SECRET_KEY_BYTES) {
      problems.push(`key "${kid}" must be ${SECRET_KEY_BYTES} bytes (AES-256), got ${key.length}`);
      return;
    }
    keys.push({ kid, key });
  });
  if (entries.length === 0) problems.push('holds no key');
  return problems.length > 0 ? { ok: false, problems } : { ok: true, keys };
}

/**
 * Reads the keyring of the services that seal or open secrets (subscription, dispatcher, the seal
 * command) inside a `readConfig` build, so key problems are reported with every other bad key.
 *
 * HOOKLINE_SECRET_KEYS (inline) or HOOKLINE_SECRET_KEYS_FILE (a file, e.g. a mounted Kubernetes
 * Secret), not both. With neither, the development keyring is used, except when NODE_ENV is
 * `production` (as in the container images), where a key is required.
 */
export function readSecretKeys(r: EnvReader, readFile: (path: string) => string): SecretKeyring {
  // HOOKLINE_SECRET_KEYS: keys sealing secrets at rest, `kid:base64(32 bytes)`, comma-separated, active first; default: development key (refused when NODE_ENV=production).
  const inline = r.optionalString('HOOKLINE_SECRET_KEYS');
  // HOOKLINE_SECRET_KEYS_FILE: file holding the same list (one entry per line allowed), instead of HOOKLINE_SECRET_KEYS.
  const file = r.optionalString('HOOKLINE_SECRET_KEYS_FILE');
  // NODE_ENV: `production` (set by the container images) refuses the development key.
  const production = r.optionalString('NODE_ENV') === 'production';
  if (inline !== undefined && file !== undefined) {
    r.problem(SECRET_KEYS_FILE_ENV, `set either ${SECRET_KEYS_ENV} or ${SECRET_KEYS_FILE_ENV}, not both`);
    return SecretKeyring.development();
  }
  if (inline === undefined && file === undefined) {
    if (production)
      r.problem(
        SECRET_KEYS_ENV,
        `is required when NODE_ENV=production (or set ${SECRET_KEYS_FILE_ENV}); generate a key with ` +
          '`openssl rand -base64 32` and set it as "kid:key"',
      );
    return SecretKeyring.development();
  }
  const key = inline !== undefined ? SECRET_KEYS_ENV : SECRET_KEYS_FILE_ENV;
  let text: string;
  if (inline !== undefined) {
    text = inline;
  } else {
    try {
      text = readFile(file as string);
    } catch (error) {
      r.problem(key, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      return SecretKeyring.development();
    }
  }
  const parsed = parseSecretKeys(text);
  if (!parsed.ok) {
    for (const problem of parsed.problems) r.problem(key, problem);
    return SecretKeyring.development();
  }
  return SecretKeyring.of(parsed.keys);
}
