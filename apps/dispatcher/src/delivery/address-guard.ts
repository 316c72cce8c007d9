import { BlockList, isIP } from 'node:net';

/**
 * Decides whether the dispatcher may connect to an IP address.
 *
 * Webhook URLs are chosen by customers, so a URL may point (directly or through DNS) at the
 * deployment's own network: loopback, private ranges, link-local (where cloud metadata lives),
 * CGNAT, multicast. Those are refused unless the operator allow-lists the range. The guard is
 * applied to the address actually connected to, so DNS rebinding cannot get around it.
 */

/** Why an address is refused, or that it is allowed. */
export type AddressVerdict =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

interface Range {
  readonly cidr: string;
  readonly label: string;
}

// Order matters: the first matching range names the reason, so specific ranges come first.
const BLOCKED_V4: readonly Range[] = [
  { cidr: '169.254.169.254/32', label: 'cloud metadata' },
  { cidr: '100.100.100.200/32', label: 'cloud metadata' },
  { cidr: '0.0.0.0/8', label: 'unspecified' },
  { cidr: '10.0.0.0/8', label: 'private' },
  { cidr: '100.64.0.0/10', label: 'carrier-grade NAT' },
  { cidr: '127.0.0.0/8', label: 'loopback' },
  { cidr: '169.254.0.0/16', label: 'link-local' },
  { cidr: '172.16.0.0/12', label: 'private' },
  { cidr: '192.0.0.0/24', label: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', label: 'documentation' },
  { cidr: '192.168.0.0/16', label: 'private' },
  { cidr: '198.18.0.0/15', label: 'benchmarking' },
  { cidr: '198.51.100.0/24', label: 'documentation' },
  { cidr: '203.0.113.0/24', label: 'documentation' },
  { cidr: '224.0.0.0/4', label: 'multicast' },
  { cidr: '240.0.0.0/4', label: 'reserved' },
];

const BLOCKED_V6: readonly Range[] = [
  { cidr: 'fd00:ec2::254/128', label: 'cloud metadata' },
  { cidr: '::/128', label: 'unspecified' },
  { cidr: '::1/128', label: 'loopback' },
  { cidr: '64:ff9b::/96', label: 'NAT64' },
  { cidr: '64:ff9b:1::/48', label: 'NAT64' },
  { cidr: '100::/64', label: 'discard-only' },
  { cidr: '2001:db8::/32', label: 'documentation' },
  { cidr: 'fc00::/7', label: 'unique local (private)' },
  { cidr: 'fe80::/10', label: 'link-local' },
  { cidr: 'fec0::/10', label: 'site-local' },
  { cidr: 'ff00::/8', label: 'multicast' },
];

/** Checks addresses against the blocked ranges, minus the operator's allow-list. */
export class AddressGuard {
  private readonly allowed = new BlockList();
  private readonly blocked: ReadonlyArray<{
    readonly list: BlockList;
    readonly range: Range;
    readonly family: 'ipv4' | 'ipv6';
  }>;

  /** `allowList`: CIDRs (or single addresses) the operator trusts, e.g. `127.0.0.0/8` in tests. */
  constructor(allowList: readonly string[] = []) {
    for (const entry of allowList) addCidr(this.allowed, entry);
    this.blocked = [
      ...BLOCKED_V4.map((range) => ({
        range,
        family: 'ipv4' as const,
        list: addCidr(new BlockList(), range.cidr),
      })),
      ...BLOCKED_V6.map((range) => ({
        range,
        family: 'ipv6' as const,
        list: addCidr(new BlockList(), range.cidr),
      })),
    ];
  }

  /** The verdict for one IP address (IPv4, IPv6, or IPv4-mapped IPv6). */
  check(address: string): AddressVerdict {
    const family = isIP(address);
    if (family === 0) return { allowed: false, reason: `not an IP address: ${address}` };
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) reaches the IPv4 host: judge that host.
    const mapped = family === 6 ? mappedIPv4(address) : undefined;
    const target = mapped ?? address;
    const type = mapped || family === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.check(target, type) || (mapped !== undefined && this.allowed.check(address, 'ipv6'))) {
      return { allowed: true };
    }
    for (const { list, range, family: rangeFamily } of this.blocked) {
      if (rangeFamily === type && list.check(target, type)) {
        const shown = mapped ? `${address} (IPv4-mapped ${mapped})` : address;
        return { allowed: false, reason: `${range.label} address ${shown} is not allowed (${range.cidr})` };
      }
    }
    return { allowed: true };
  }
}

function addCidr(list: BlockList, cidr: string): BlockList {
  const [address, prefixText] = cidr.split('/');
  const family = isIP(address);
  if (family === 0) throw new Error(`invalid address range "${cidr}"`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return list;
  }
  const prefix = Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
    throw new Error(`invalid prefix length in "${cidr}"`);
  }
  list.addSubnet(address, prefix, type);
  return list;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:0:0/96`), if it is one. */
export function mappedIPv4(address: string): string | undefined {
  const hextets = expandIPv6(address);
  if (!hextets) return undefined;
  const isMapped = hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff;
  if (!isMapped) return undefined;
  return [hextets[6] >> 8, hextets[6] & 0xff, hextets[7] >> 8, hextets[7] & 0xff].join('.');
}

function expandIPv6(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '');
  // A trailing dotted quad stands for the last two hextets.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const octets = quad[1].split('.').map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    text = `${text.slice(0, -quad[1].length)}${((octets[0] << 8) | octets[1]).toString(16)}:${((octets[2] << 8) | octets[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 0) return undefined;
  const result = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return result.some((h) => Number.isNaN(h) || h < 0 || h > 0xffff) ? undefined : result;
}
