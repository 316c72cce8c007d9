/**
 * The kind of a refused address. Tenants are told the class, never the address: the address a
 * host name resolved to inside the deployment would tell them about its internal network.
 */
export type AddressClass =
  | 'loopback'
  | 'private network'
  | 'link-local'
  | 'cloud metadata'
  | 'carrier-grade NAT'
  | 'unspecified'
  | 'broadcast'
  | 'multicast'
  | 'documentation'
  | 'benchmarking'
  | 'site-local'
  | 'discard-only'
  | 'reserved'
  | 'invalid';

/** The class with its article, for messages: `a loopback address`, `an unspecified address`. */
export function describeAddressClass(addressClass: AddressClass): string {
  const article = /^[aeiou]/.test(addressClass) ? 'an' : 'a';
  return `${article} ${addressClass} address`;
}
