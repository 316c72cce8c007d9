import type { IPv6 } from 'ipaddr.js';

/** How an IPv6 address carries an IPv4 one. */
export type EmbeddingForm =
  | 'IPv4-mapped'
  | 'IPv4-compatible'
  | 'IPv4-translated'
  | 'NAT64'
  | '6to4'
  | 'Teredo server'
  | 'Teredo client';

/** One IPv4 address found inside an IPv6 address. */
export interface EmbeddedIPv4 {
  readonly form: EmbeddingForm;
  /** Dotted-quad IPv4 address. */
  readonly address: string;
}

/**
 * The IPv4 addresses an IPv6 address reaches, directly or through a translator or relay; empty when
 * it embeds none. `range` is the address's `ipaddr.js` range name.
 *
 * - `::ffff:a.b.c.d` (IPv4-mapped, RFC 4291) and `::a.b.c.d` (IPv4-compatible, deprecated by RFC
 *   4291 but still accepted by some stacks) reach the IPv4 host itself.
 * - `::ffff:0:a.b.c.d` (IPv4-translated, RFC 6145) and NAT64 (`64:ff9b::/96`, RFC 6052; the local-use
 *   `64:ff9b:1::/48`, RFC 8215) reach it through a translator. The last 32 bits are taken: that is the
 *   `/96` layout, the one DNS64 synthesises with a `/96` prefix.
 * - 6to4 (`2002:AABB:CCDD::/48`, RFC 3056) names the IPv4 relay in bits 16-47.
 * - Teredo (`2001:0:SSSS:SSSS:flags:port:CCCC:CCCC`, RFC 4380) names its server in bits 32-63 and its
 *   client in the last 32 bits, inverted; both are returned.
 */
export function embeddedIPv4(address: IPv6, range: string): EmbeddedIPv4[] {
  const p = address.parts;
  switch (range) {
    case 'ipv4Mapped':
      return [{ form: 'IPv4-mapped', address: quad(p[6], p[7]) }];
    case 'rfc6145':
      return [{ form: 'IPv4-translated', address: quad(p[6], p[7]) }];
    case 'rfc6052':
      return [{ form: 'NAT64', address: quad(p[6], p[7]) }];
    case '6to4':
      return [{ form: '6to4', address: quad(p[1], p[2]) }];
    case 'teredo':
      return [
        { form: 'Teredo server', address: quad(p[2], p[3]) },
        { form: 'Teredo client', address: quad(~p[6] & 0xffff, ~p[7] & 0xffff) },
      ];
    default:
      // `::` and `::1` have ranges of their own; any other address in `::/96` is IPv4-compatible.
      return p.slice(0, 6).every((part) => part === 0)
        ? [{ form: 'IPv4-compatible', address: quad(p[6], p[7]) }]
        : [];
  }
}

function quad(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}
