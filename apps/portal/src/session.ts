/**
 * The portal session: a bearer token handed over in the URL fragment (`#session=<token>`), moved
 * into sessionStorage and out of the address bar at once, so it is neither bookmarked nor shared.
 */
const STORAGE_KEY = 'hookline.portal.session';

export interface Session {
  readonly token: string;
  /** The tenant, when the token names it. */
  readonly tenant: string | null;
  /** A read-only session may look but not change anything. */
  readonly readOnly: boolean;
  /** When the session ends, when the token says. */
  readonly expiresAt: Date | null;
}

interface TokenClaims {
  sid?: string;
  tenant?: string;
  ro?: boolean;
  exp?: number;
}

/**
 * Claims of a portal token: `hlp_<base64url JSON>.<signature>` (or a three-part
 * `<header>.<base64url JSON>.<signature>`); none for an API key.
 */
export function decodeClaims(token: string): TokenClaims {
  const parts = token.split('.');
  const claims = parts.length === 3 ? parts[1] : parts.length === 2 ? parts[0].replace(/^hlp_/, '') : null;
  if (!claims) return {};
  try {
    const base64 = claims.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const decoded = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return decoded && typeof decoded === 'object' ? (decoded as TokenClaims) : {};
  } catch {
    return {};
  }
}

export function sessionFromToken(token: string): Session {
  const claims = decodeClaims(token);
  return {
    token,
    tenant: typeof claims.tenant === 'string' ? claims.tenant : null,
    readOnly: claims.ro === true,
    expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null,
  };
}

/** Takes the token from the fragment if there is one (and removes it), else from sessionStorage. */
export function loadSession(): Session | null {
  const match = /(?:^#|[#&])session=([^&]+)/.exec(window.location.hash);
  if (match) {
    const token = decodeURIComponent(match[1]);
    window.sessionStorage.setItem(STORAGE_KEY, token);
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/endpoints`);
  }
  const token = window.sessionStorage.getItem(STORAGE_KEY);
  return token ? sessionFromToken(token) : null;
}

export function forgetSession(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}

export function isExpired(session: Session, now = Date.now()): boolean {
  return session.expiresAt !== null && session.expiresAt.getTime() <= now;
}
