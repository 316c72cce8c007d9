import type { EnvReader } from '@hookline/config';
import { type AuthBrakeOptions, invalidProxyEntries } from './auth-failure.brake';

/** How a service that authenticates callers protects and records that (ingest and subscription). */
export interface AuthProtectionConfig {
  /** Limits on failed authentications per client address and per API key prefix. */
  readonly brake: AuthBrakeOptions;
  /** Reverse proxies whose `X-Forwarded-For` names the client (addresses or CIDR ranges). */
  readonly trustedProxies: readonly string[];
  /** Longest time between two writes of one key's `last_used_at`. */
  readonly lastUsedIntervalMs: number;
}

/**
 * Reads the keys of `AuthProtectionConfig`, the same in every service that authenticates:
 * AUTH_BRAKE_FAILURES=20, AUTH_BRAKE_WINDOW=1m, AUTH_BRAKE_TRACKED=10000, AUTH_TRUSTED_PROXIES
 * (none), API_KEY_LAST_USED_INTERVAL=1m.
 */
export function readAuthProtectionConfig(r: EnvReader): AuthProtectionConfig {
  // AUTH_TRUSTED_PROXIES: comma-separated addresses or CIDR ranges of reverse proxies (an ingress,
  // a load balancer) whose X-Forwarded-For names the client; default none, the peer is the client.
  const trustedProxies = r.list('AUTH_TRUSTED_PROXIES', []);
  const invalid = invalidProxyEntries(trustedProxies);
  if (invalid.length > 0) {
    r.problem(
      'AUTH_TRUSTED_PROXIES',
      `must hold IP addresses or CIDR ranges, got ${invalid.map((entry) => `"${entry}"`).join(', ')}`,
    );
  }
  const config: AuthProtectionConfig = {
    brake: {
      // AUTH_BRAKE_FAILURES: failed authentications one client address, or one API key prefix, may
      // make per window before it is answered 429; 0 turns the brake off. Default 20.
      maxFailures: r.int('AUTH_BRAKE_FAILURES', { default: 20, min: 0, max: 1_000_000 }),
      // AUTH_BRAKE_WINDOW: the window, from a subject's first failure in it; default 1m.
      windowMs: r.durationMs('AUTH_BRAKE_WINDOW', 60_000),
      // AUTH_BRAKE_TRACKED: most addresses (and, apart, most key prefixes) counted at once; beyond
      // it the oldest is forgotten. Default 10000.
      maxTracked: r.int('AUTH_BRAKE_TRACKED', { default: 10_000, min: 100, max: 1_000_000 }),
    },
    trustedProxies: invalid.length > 0 ? [] : trustedProxies,
    // API_KEY_LAST_USED_INTERVAL: a key's last_used_at is written at most this often (and at
    // shutdown), in one batch for all keys; default 1m.
    lastUsedIntervalMs: r.durationMs('API_KEY_LAST_USED_INTERVAL', 60_000),
  };
  if (config.brake.windowMs < 1_000) {
    r.problem('AUTH_BRAKE_WINDOW', `must be at least 1s, got ${config.brake.windowMs} ms`);
  }
  if (config.lastUsedIntervalMs < 1_000) {
    r.problem('API_KEY_LAST_USED_INTERVAL', `must be at least 1s, got ${config.lastUsedIntervalMs} ms`);
  }
  return config;
}
