import { join } from 'node:path';
import type { EnvReader } from '@hookline/config';

/** The customer portal: where it is linked from, who may frame it, how long its sessions last. */
export interface PortalSettings {
  /** Base URL portal links start with (`<base>/portal/#session=…`); absent: the operator request's own origin. */
  readonly publicUrl: string | undefined;
  /** CSP sources allowed to frame the portal (`frame-ancestors`). */
  readonly frameAncestors: readonly string[];
  /** Longest session an operator may mint, in seconds. */
  readonly sessionMaxTtlSeconds: number;
  /** Folder of the portal's built files; a missing folder makes `/portal/` answer 404. */
  readonly assetsDir: string;
}

/** Shortest session that can be minted, in seconds. */
export const MIN_SESSION_TTL_SECONDS = 60;
/** Longest session that can ever be minted (and the default of PORTAL_SESSION_MAX_TTL), in seconds. */
export const MAX_SESSION_TTL_SECONDS = 86_400;
/** Session length when the operator names none (or the maximum, when that is shorter), in seconds. */
export const DEFAULT_SESSION_TTL_SECONDS = 3_600;

/**
 * The portal's build output: `dist/apps/portal` of the workspace. This file sits two levels below the
 * project in both `src/portal` and `dist/portal`, so sources (tests) and the built service agree.
 */
export const DEFAULT_PORTAL_ASSETS_DIR = join(__dirname, '..', '..', '..', '..', 'dist', 'apps', 'portal');

// `'self'`, `'none'`, a scheme (`https:`), or a host with optional scheme, `*.` wildcard, port and path.
const KEYWORD_SOURCE = /^'(self|none)'$/;
const SCHEME_SOURCE = /^[a-z][a-z0-9+.-]*:$/i;
const HOST_SOURCE =
  /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*|(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(?:\d{1,5}|\*))?(?:\/[A-Za-z0-9._~!$&()*+=@%/-]*)?$/i;

/** Whether `source` is a CSP source expression `frame-ancestors` may hold. */
export function isFrameAncestorSource(source: string): boolean {
  return KEYWORD_SOURCE.test(source) || SCHEME_SOURCE.test(source) || HOST_SOURCE.test(source);
}

/**
 * Reads the portal's keys inside the subscription service's `readConfig` build: PORTAL_PUBLIC_URL,
 * PORTAL_FRAME_ANCESTORS (default `'self'`), PORTAL_SESSION_MAX_TTL (default 24h) and
 * PORTAL_ASSETS_DIR (default: the portal's build output).
 */
export function readPortalSettings(r: EnvReader): PortalSettings {
  // PORTAL_PUBLIC_URL: base URL portal links start with, e.g. https://hooks.example.com; default: the origin the operator's request reached.
  const publicUrlText = r.optionalString('PORTAL_PUBLIC_URL');
  let publicUrl: string | undefined;
  if (publicUrlText !== undefined) {
    const checked = r.url('PORTAL_PUBLIC_URL', { protocols: ['https', 'http'] });
    if (checked !== '') {
      const url = new URL(checked);
      if (url.search !== '' || url.hash !== '' || /[?#]/.test(checked))
        r.problem('PORTAL_PUBLIC_URL', 'must be a base URL without a query or fragment');
      else if (url.username !== '' || url.password !== '')
        r.problem('PORTAL_PUBLIC_URL', 'must not hold credentials');
      else publicUrl = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
    }
  }
  // PORTAL_FRAME_ANCESTORS: space-separated CSP sources allowed to frame the portal (frame-ancestors); default 'self'.
  const ancestorsText = r.optionalString('PORTAL_FRAME_ANCESTORS') ?? "'self'";
  const frameAncestors = ancestorsText.split(/\s+/).filter((source) => source.length > 0);
  for (const source of frameAncestors) {
    if (!isFrameAncestorSource(source))
      r.problem(
        'PORTAL_FRAME_ANCESTORS',
        `"${source}" is not a CSP source ('self', 'none', a scheme such as https:, or a host such as https://*.example.com)`,
      );
  }
  if (frameAncestors.length === 0)
    r.problem('PORTAL_FRAME_ANCESTORS', "must name at least one source (or 'none')");
  if (frameAncestors.includes("'none'") && frameAncestors.length > 1)
    r.problem('PORTAL_FRAME_ANCESTORS', "'none' must be the only source");
  // PORTAL_SESSION_MAX_TTL: longest portal session an operator may mint, 1m to 24h; default 24h.
  const maxTtlMs = r.durationMs('PORTAL_SESSION_MAX_TTL', MAX_SESSION_TTL_SECONDS * 1000);
  if (maxTtlMs < MIN_SESSION_TTL_SECONDS * 1000 || maxTtlMs > MAX_SESSION_TTL_SECONDS * 1000)
    r.problem('PORTAL_SESSION_MAX_TTL', `must be from 1m to 24h, got ${maxTtlMs} ms`);
  else if (maxTtlMs % 1000 !== 0) r.problem('PORTAL_SESSION_MAX_TTL', 'must be whole seconds');
  // PORTAL_ASSETS_DIR: folder of the portal's built files; default: dist/apps/portal of the installation.
  const assetsDir = r.optionalString('PORTAL_ASSETS_DIR') ?? DEFAULT_PORTAL_ASSETS_DIR;
  return {
    publicUrl,
    frameAncestors,
    sessionMaxTtlSeconds: Math.floor(maxTtlMs / 1000),
    assetsDir,
  };
}
