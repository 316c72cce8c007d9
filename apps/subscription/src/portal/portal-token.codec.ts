import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { SecretKeyring } from '@hookline/sealing';

/** Every portal session token starts with this (API keys start with `hl_sk_`). */
export const PORTAL_TOKEN_PREFIX = 'hlp_';

/** What a portal session token says: which session, for which tenant, whether read-only, until when. */
export interface PortalTokenClaims {
  /** The session's id (`ps_` + ULID). */
  readonly sid: string;
  /** The one tenant the session acts for. */
  readonly tenant: string;
  /** Whether the session may only read. */
  readonly ro: boolean;
  /** End of validity, unix seconds. */
  readonly exp: number;
}

/** Why a token was refused. */
export type PortalTokenFailure = 'malformed' | 'forged' | 'expired';

/** A token checked: its claims, or why it is refused. */
export type PortalTokenVerdict =
  | { readonly ok: true; readonly claims: PortalTokenClaims }
  | { readonly ok: false; readonly reason: PortalTokenFailure };

// The HMAC key of each keyring key is derived with this label, so it is never the sealing key itself.
const KEY_LABEL = 'hookline portal session token v1';
const MAC_BYTES = 32;
// Far above any token this codec mints; anything longer is refused before any work is done on it.
const MAX_TOKEN_LENGTH = 1024;
const TOKEN = /^hlp_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Mints and checks portal session tokens:
 *
 *     hlp_<base64url JSON claims {sid, tenant, ro, exp}>.<base64url HMAC-SHA256 of everything before the dot>
 *
 * The HMAC key is derived (HKDF-SHA256, a fixed label) from a key of the sealing keyring
 * (HOOKLINE_SECRET_KEYS): tokens are minted with the active key and accepted under any key of the
 * keyring, so a key rotation done as the keyring's guide says never refuses a live session. Checking
 * needs no database: the signature is compared in constant time, then the expiry.
 */
export class PortalTokenCodec {
  private readonly macKeys: ReadonlyArray<{ readonly kid: string; readonly key: Buffer }>;
  private readonly activeKey: Buffer;

  constructor(
    keyring: SecretKeyring,
    private readonly now: () => number = Date.now,
  ) {
    this.macKeys = keyring.kids.map((kid) => ({
      kid,
      key: Buffer.from(hkdfSync('sha256', keyring.key(kid)!, Buffer.alloc(0), KEY_LABEL, MAC_BYTES)),
    }));
    this.activeKey = this.macKeys.find((entry) => entry.kid === keyring.activeKid)!.key;
  }

  /** Whether `token` has the portal token prefix (it may still be refused). */
  static isPortalToken(token: string): boolean {
    return token.startsWith(PORTAL_TOKEN_PREFIX);
  }

  /** A token carrying `claims`, signed with the active key. */
  mint(claims: PortalTokenClaims): string {
    const { sid, tenant, ro, exp } = claims;
    const signed =
      PORTAL_TOKEN_PREFIX + Buffer.from(JSON.stringify({ sid, tenant, ro, exp })).toString('base64url');
    return `${signed}.${mac(this.activeKey, signed).toString('base64url')}`;
  }

  /** Checks a token: its shape, its signature (constant time, under any keyring key), then its expiry. */
  verify(token: string): PortalTokenVerdict {
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
    const match = TOKEN.exec(token);
    if (!match) return { ok: false, reason: 'malformed' };
    const signed = token.slice(0, token.lastIndexOf('.'));
    const given = Buffer.from(match[2], 'base64url');
    if (given.length !== MAC_BYTES) return { ok: false, reason: 'malformed' };
    // Every key is tried, so the time taken does not say which one (if any) matched.
    let authentic = false;
    for (const { key } of this.macKeys) authentic = timingSafeEqual(mac(key, signed), given) || authentic;
    if (!authentic) return { ok: false, reason: 'forged' };
    // Only an authentic payload is parsed: it was written by this codec.
    const claims = parseClaims(Buffer.from(match[1], 'base64url').toString('utf8'));
    if (claims === undefined) return { ok: false, reason: 'malformed' };
    if (claims.exp * 1000 <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }
}

function mac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'ascii').digest();
}

function parseClaims(json: string): PortalTokenClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { sid, tenant, ro, exp } = value as Record<string, unknown>;
  if (typeof sid !== 'string' || !ID.test(sid)) return undefined;
  if (typeof tenant !== 'string' || !ID.test(tenant)) return undefined;
  if (typeof ro !== 'boolean') return undefined;
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp) || exp <= 0) return undefined;
  return { sid, tenant, ro, exp };
}
