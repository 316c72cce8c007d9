import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { AddressClass } from './address-class';
import { embeddedIPv4 } from './embedded-ipv4';

/** Whether an address may be connected to, or the class it is refused as. */
export type AddressVerdict =
  { readonly allowed: true } | { readonly allowed: false; readonly addressClass: AddressClass };

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = readonly [Address, number];

const ALLOWED: AddressVerdict = { allowed: true };

// The library's range names (IANA special-purpose registries) and the class each is refused as.
// A name missing here (a range added by a later version of the library) is refused as 'reserved'.
const IPV4_CLASSES: Readonly<Partial<Record<string, AddressClass>>> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private network',
  reserved: 'reserved',
  as112: 'reserved',
  amt: 'reserved',
};
const IPV6_CLASSES: Readonly<Partial<Record<string, AddressClass>>> = {
  unspecified: 'unspecified',
  linkLocal: 'link-local',
  multicast: 'multicast',
  loopback: 'loopback',
  uniqueLocal: 'private network',
  deprecatedSiteLocal: 'site-local',
  discard: 'discard-only',
  benchmarking: 'benchmarking',
};
// Ranges whose IPv6 address reaches an IPv4 one; that IPv4 address is what is judged.
const EMBEDDING_RANGES = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052', '6to4', 'teredo']);

// Judged before the library's ranges: cloud metadata services (some on public addresses), and finer
// names than the library's 'reserved' for documentation and benchmarking ranges.
const REFINED: ReadonlyArray<readonly [string, AddressClass]> = [
  ['169.254.169.254/32', 'cloud metadata'], // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
  ['169.254.170.2/32', 'cloud metadata'], // AWS ECS task metadata and credentials
  ['169.254.170.23/32', 'cloud metadata'], // AWS EKS Pod Identity
  ['100.100.100.200/32', 'cloud metadata'], // Alibaba Cloud
  ['192.0.0.192/32', 'cloud metadata'], // Oracle Cloud (legacy)
  ['168.63.129.16/32', 'cloud metadata'], // Azure WireServer, a public address
  ['fd00:ec2::254/128', 'cloud metadata'], // AWS IMDS over IPv6
  ['fd00:ec2::23/128', 'cloud metadata'], // AWS EKS Pod Identity over IPv6
  ['192.0.2.0/24', 'documentation'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['198.18.0.0/15', 'benchmarking'],
  // Newer than the library's table (RFC 9780, dummy IPv6 prefix).
  ['100:0:0:1::/64', 'reserved'],
];
const REFINED_RANGES = REFINED.map(([cidr, addressClass]) => [parseRange(cidr), addressClass] as const);
// IANA allocates global unicast IPv6 from 2000::/3 only; anything else not named above is not a
// destination on the internet.
const GLOBAL_UNICAST_V6 = parseRange('2000::/3');

/**
 * Decides whether an outbound request may go to an IP address.
 *
 * Webhook URLs are chosen by tenants, so a URL may point (literally or through DNS) at the
 * deployment's own network. Every IANA special-purpose range (loopback, private, link-local with
 * cloud metadata, CGNAT, multicast, documentation, ...) is refused, as classified by `ipaddr.js`
 * plus the refinements above, unless the operator allow-lists it. An IPv6 address that carries an
 * IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) is judged by that IPv4 address.
 */
export class AddressPolicy {
  private readonly allowList: readonly Range[];

  /**
   * `allowList`: addresses or CIDR ranges the operator trusts although they are internal, e.g.
   * `127.0.0.0/8` for a receiver on loopback; an IPv4 entry also covers the IPv6 forms that embed it.
   * A malformed entry throws.
   */
  constructor(allowList: readonly string[] = []) {
    this.allowList = allowList.map(parseRange);
  }

  /** The verdict on one IP address (IPv4 or IPv6, without brackets). */
  check(address: string): AddressVerdict {
    const ip = parseAddress(address);
    if (!ip) return { allowed: false, addressClass: 'invalid' };
    if (this.allowList.some((range) => inRange(ip, range))) return ALLOWED;
    for (const [refined, addressClass] of REFINED_RANGES) {
      if (inRange(ip, refined)) return { allowed: false, addressClass };
    }
    const range = ip.range() as string;
    if (ip.kind() === 'ipv4') {
      return range === 'unicast'
        ? ALLOWED
        : { allowed: false, addressClass: IPV4_CLASSES[range] ?? 'reserved' };
    }
    if (range === 'unicast' || EMBEDDING_RANGES.has(range)) {
      const embedded = embeddedIPv4(ip as ipaddr.IPv6, range);
      if (embedded.length > 0) {
        for (const inner of embedded) {
          const verdict = this.check(inner.address);
          if (!verdict.allowed) return verdict;
        }
        return ALLOWED;
      }
    }
    if (range === 'unicast') {
      return inRange(ip, GLOBAL_UNICAST_V6) ? ALLOWED : { allowed: false, addressClass: 'reserved' };
    }
    return { allowed: false, addressClass: IPV6_CLASSES[range] ?? 'reserved' };
  }
}

/** Whether `entry` is an IP address or a CIDR range, as an allow-list takes them. */
export function isAddressRange(entry: string): boolean {
  try {
    parseRange(entry);
    return true;
  } catch {
    return false;
  }
}

// Only the canonical notations: `ipaddr.js` also reads `127.1` or `0x7f.0.0.1`, which no
// resolver or URL parser hands over and which an operator should not have to reason about.
function parseAddress(address: string): Address | undefined {
  if (isIP(address) === 0) return undefined;
  try {
    return ipaddr.parse(address);
  } catch {
    return undefined;
  }
}

function parseRange(cidr: string): Range {
  const [text, prefixText, ...rest] = cidr.trim().split('/');
  const address = parseAddress(text);
  if (!address || rest.length > 0) throw new Error(`invalid address range "${cidr}"`);
  const bits = address.kind() === 'ipv4' ? 32 : 128;
  if (prefixText === undefined) return [address, bits];
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits)) throw new Error(`invalid prefix length in "${cidr}"`);
  return [address, prefix];
}

function inRange(ip: Address, [network, prefix]: Range): boolean {
  return ip.kind() === network.kind() && ip.match(network, prefix);
}
