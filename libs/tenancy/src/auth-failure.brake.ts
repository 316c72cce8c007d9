import { BlockList, isIP } from 'node:net';

/** Limits of the brake on failed authentications. */
export interface AuthBrakeOptions {
  /** Failed authentications one client address (or one key prefix) may make per window; 0 turns the brake off. */
  readonly maxFailures: number;
  /** Length of the window in milliseconds, counted from a subject's first failure in it. */
  readonly windowMs: number;
  /**
   * Most subjects remembered at once, per kind (addresses, key prefixes, trusted pairs). Beyond it the
   * oldest is forgotten, so a spray from countless addresses costs bounded memory.
   */
  readonly maxTracked: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

/** What a failed or attempted authentication is counted against. */
export interface BrakeSubject {
  /** The client's address; absent when the transport does not know it. */
  readonly address?: string;
  /** The clear part of a well-formed API key (`API_KEY_VISIBLE_CHARS`); absent for other credentials. */
  readonly keyPrefix?: string;
}

/** Whether a subject may try to authenticate now. */
export type BrakeVerdict =
  | { readonly kind: 'open' }
  | {
      readonly kind: 'braked';
      /** Which limit was reached. */
      readonly by: 'address' | 'key_prefix';
      /** Whole seconds until the subject may try again (at least 1), for `Retry-After`. */
      readonly retryAfterSeconds: number;
    };

interface FailureWindow {
  readonly startedAt: number;
  failures: number;
}

// A client that authenticated from an address is trusted there for a day: an attacker spraying its
// key prefix from elsewhere then cannot lock it out.
const TRUST_MS = 24 * 60 * 60 * 1000;

/**
 * Counts failed authentications per client address and per API key prefix and, once either reaches
 * `maxFailures` within `windowMs`, says to refuse further attempts until that window ends (429 /
 * RESOURCE_EXHAUSTED) without evaluating them. One instance per process is shared by every way in
 * (REST, gRPC, the operator token), so the limits hold across them; each process counts on its own,
 * so N replicas allow N times the limit.
 *
 * An address that authenticated with a key prefix stays exempt from that prefix's brake (not from its
 * own address's), so a spray naming a victim's prefix does not lock the victim out where it works.
 */
export class AuthFailureBrake {
  private readonly addresses: FailureWindows;
  private readonly prefixes: FailureWindows;
  private readonly trusted = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: AuthBrakeOptions) {
    this.now = options.now ?? Date.now;
    this.addresses = new FailureWindows(options);
    this.prefixes = new FailureWindows(options);
  }

  /** Whether the brake is on at all. */
  get enabled(): boolean {
    return this.options.maxFailures > 0;
  }

  /**
   * Whether `subject` may try now; reading never counts as a failure. A key prefix that authenticated
   * from this address lately is braked neither by the address nor by the prefix, so a client sharing
   * its address with an attacker (a NAT, a proxy) keeps working; its key is still looked up.
   */
  check(subject: BrakeSubject): BrakeVerdict {
    if (!this.enabled) return { kind: 'open' };
    const now = this.now();
    if (this.isTrusted(subject, now)) return { kind: 'open' };
    if (subject.address !== undefined) {
      const wait = this.addresses.waitMs(subject.address, now);
      if (wait > 0) return braked('address', wait);
    }
    if (subject.keyPrefix !== undefined) {
      const wait = this.prefixes.waitMs(subject.keyPrefix, now);
      if (wait > 0) return braked('key_prefix', wait);
    }
    return { kind: 'open' };
  }

  /** Counts a failed authentication against the subject's address and key prefix. */
  recordFailure(subject: BrakeSubject): void {
    if (!this.enabled) return;
    const now = this.now();
    if (subject.address !== undefined) this.addresses.add(subject.address, now);
    if (subject.keyPrefix !== undefined) this.prefixes.add(subject.keyPrefix, now);
  }

  /** Notes a successful authentication: the address is trusted for the key prefix. */
  recordSuccess(subject: BrakeSubject): void {
    if (!this.enabled || subject.address === undefined || subject.keyPrefix === undefined) return;
    const pair = trustKey(subject.keyPrefix, subject.address);
    this.trusted.delete(pair);
    if (this.trusted.size >= this.options.maxTracked) {
      const oldest = this.trusted.keys().next().value;
      if (oldest !== undefined) this.trusted.delete(oldest);
    }
    this.trusted.set(pair, this.now() + TRUST_MS);
  }

  /** How many subjects of each kind are remembered (for tests and metrics). */
  get tracked(): { readonly addresses: number; readonly keyPrefixes: number; readonly trusted: number } {
    return { addresses: this.addresses.size, keyPrefixes: this.prefixes.size, trusted: this.trusted.size };
  }

  private isTrusted(subject: BrakeSubject, now: number): boolean {
    if (subject.address === undefined || subject.keyPrefix === undefined) return false;
    const until = this.trusted.get(trustKey(subject.keyPrefix, subject.address));
    return until !== undefined && until > now;
  }
}

/** Failure counts per subject of one kind, at most `maxTracked` of them, the oldest window forgotten first. */
class FailureWindows {
  private readonly windows = new Map<string, FailureWindow>();

  constructor(private readonly options: AuthBrakeOptions) {}

  get size(): number {
    return this.windows.size;
  }

  /** Milliseconds until `subject` may try again; 0 when it may now. */
  waitMs(subject: string, now: number): number {
    const window = this.windows.get(subject);
    if (window === undefined) return 0;
    const endsAt = window.startedAt + this.options.windowMs;
    if (endsAt <= now) {
      this.windows.delete(subject);
      return 0;
    }
    return window.failures >= this.options.maxFailures ? endsAt - now : 0;
  }

  add(subject: string, now: number): void {
    const window = this.windows.get(subject);
    if (window !== undefined && window.startedAt + this.options.windowMs > now) {
      window.failures += 1;
      return;
    }
    // A new window goes to the end of the insertion order, so the first entry is always the oldest.
    this.windows.delete(subject);
    if (this.windows.size >= this.options.maxTracked) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(subject, { startedAt: now, failures: 1 });
  }
}

function braked(by: 'address' | 'key_prefix', waitMs: number): BrakeVerdict {
  return { kind: 'braked', by, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

function trustKey(keyPrefix: string, address: string): string {
  return `${keyPrefix} ${address}`;
}

/**
 * Which reverse proxies' `X-Forwarded-For` is believed when finding a client's address: addresses
 * and CIDR ranges, IPv4 or IPv6.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly any: boolean;

  /** `entries` are addresses (`10.0.0.7`) or ranges (`10.0.0.0/8`, `fd00::/8`), each valid (see `invalidProxyEntries`). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
    this.any = entries.length > 0;
  }

  /**
   * The client's address: the peer itself, or, when the peer is a trusted proxy, the right-most
   * `X-Forwarded-For` entry that is not one (entries further left are the client's to write).
   */
  clientAddress(peer: string | undefined, forwardedFor: string | undefined): string | undefined {
    if (peer === undefined) return undefined;
    const direct = unmapped(peer);
    if (!this.any || forwardedFor === undefined || !this.trusts(direct)) return direct;
    const hops = forwardedFor
      .split(',')
      .map((hop) => unmapped(hop.trim()))
      .filter((hop) => hop.length > 0);
    for (let index = hops.length - 1; index >= 0; index -= 1) {
      if (isIP(hops[index]) === 0) return direct;
      if (!this.trusts(hops[index])) return hops[index];
    }
    return hops[0] ?? direct;
  }

  private trusts(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** Entries of a trusted-proxy list that are neither an IP address nor a CIDR range. */
export function invalidProxyEntries(entries: readonly string[]): string[] {
  return entries.filter((entry) => {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return true;
    if (bits === undefined) return false;
    if (!/^\d{1,3}$/.test(bits)) return true;
    return Number(bits) > (family === 6 ? 128 : 32);
  });
}

// `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) and `10.0.0.1` are the same client.
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
