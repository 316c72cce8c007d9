import { isIP } from 'node:net';
import type { AddressPolicy, AddressVerdict } from './address-policy';

/**
 * Whether a URL as sent holds a control character or whitespace anywhere: C0 controls (CR, LF,
 * TAB, NUL, ...), space, DEL, C1 controls, and every other Unicode space (no-break space, line and
 * paragraph separators, ideographic space, BOM). URL parsers drop tabs and line breaks and trim
 * spaces, so such a URL would be stored as one string and called as another; it is refused instead.
 */
export function hasUnsafeUrlCharacter(raw: string): boolean {
  for (const char of raw) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x20 || (code >= 0x7f && code <= 0x9f) || /\s/u.test(char)) return true;
  }
  return false;
}

/**
 * The verdict on the host of a parsed URL (`URL.hostname`, which has already turned decimal,
 * octal, hex and shortened IPv4 hosts into dotted form). An IP literal is judged by `policy`;
 * `localhost` and `*.localhost` (RFC 6761 keeps them on loopback) as loopback; any other name
 * passes here: what it resolves to is judged when it is connected to.
 */
export function checkUrlHost(policy: AddressPolicy, hostname: string): AddressVerdict {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (isIP(host) !== 0) return policy.check(host);
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name === 'localhost' || name.endsWith('.localhost')) {
    const verdicts = [policy.check('127.0.0.1'), policy.check('::1')];
    return verdicts.find((verdict) => verdict.allowed) ?? verdicts[0];
  }
  return { allowed: true };
}
