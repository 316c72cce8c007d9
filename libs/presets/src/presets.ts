/**
 * Presets: the public contract a deployment offers its customers.
 *
 * `appmint` and `hackmamba` reproduce the two reference webhook pages exactly (header names,
 * `created` format, retry schedule, which failures retry); `hookline` is the recommended default.
 * A deployment picks one and may override any setting.
 */

/** Names of the built-in presets. */
export const PRESET_NAMES = ['hookline', 'appmint', 'hackmamba'] as const;
/** A built-in preset's name. */
export type PresetName = (typeof PRESET_NAMES)[number];

/** How the envelope's `created` is rendered: unix seconds (`1640995200`) or ISO 8601 (`2024-01-15T10:30:00Z`). */
export type CreatedFormat = 'unix' | 'iso8601';
/** All created formats, for validation. */
export const CREATED_FORMATS: readonly CreatedFormat[] = ['unix', 'iso8601'];

/** `sha256-hex`: `X-<Brand>-Signature: sha256=<hex>`; `standard-webhooks`: `webhook-id/-timestamp/-signature`. */
export type SignatureScheme = 'sha256-hex' | 'standard-webhooks';
/** All signature schemes, for validation. */
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['sha256-hex', 'standard-webhooks'];

/** The name customers see in headers and the User-Agent. */
export interface Brand {
  /** Display name, e.g. `Appmint`. */
  readonly name: string;
  /** Prefix of the branded headers, e.g. `X-Appmint` (then `X-Appmint-Signature`). */
  readonly headerPrefix: string;
  /** User-Agent of every delivery, e.g. `Appmint-Webhooks/1.0`. */
  readonly userAgent: string;
}

/** When and whether failed deliveries are tried again. */
export interface RetryPolicy {
  /** Delay before each retry, in order; its length is the number of retries after the first attempt. */
  readonly delaysMs: readonly number[];
  /** Random spread applied to each delay, as a fraction (0.1 = up to ±10 %); 0 keeps the schedule exact. */
  readonly jitterRatio: number;
  /** Whether 3xx/4xx answers (other than 408, 410, 429) are retried; the Hackmamba page retries any non-2xx. */
  readonly retryNon2xx: boolean;
  /**
   * How long an attempt that was not made waits (its endpoint's breaker open, or its queue full): on a
   * retry tier of its own, matched to the breaker's reset so a deferred delivery comes back about when
   * the breaker lets a probe through, rather than bouncing through a shorter tier. It does not count
   * as an attempt and does not move the delivery along its schedule.
   */
  readonly deferDelayMs: number;
}

/** Everything a preset decides. */
export interface Preset {
  /** The preset this was resolved from. */
  readonly name: PresetName;
  /** Header prefix and User-Agent. */
  readonly brand: Brand;
  /** Format of the envelope's `created`. */
  readonly createdFormat: CreatedFormat;
  /** Signatures each delivery carries. */
  readonly signatureSchemes: readonly SignatureScheme[];
  /** Retry schedule and rules. */
  readonly retry: RetryPolicy;
  /** Time allowed for one delivery attempt; both reference pages say 30 seconds. */
  readonly attemptTimeoutMs: number;
  /** `api_version` stamped on new events. */
  readonly apiVersion: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Derives the branded header prefix and User-Agent from a display name. */
export function brandFromName(name: string): Brand {
  const token = name.replace(/[^A-Za-z0-9-]/g, '');
  return { name, headerPrefix: `X-${token}`, userAgent: `${token}-Webhooks/1.0` };
}

/** The built-in presets. */
export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  hookline: {
    name: 'hookline',
    brand: brandFromName('Hookline'),
    createdFormat: 'iso8601',
    signatureSchemes: ['sha256-hex', 'standard-webhooks'],
    retry: {
      // The Standard Webhooks schedule: the first attempt is immediate, then these gaps.
      delaysMs: [
        5 * SECOND,
        5 * MINUTE,
        30 * MINUTE,
        2 * HOUR,
        5 * HOUR,
        10 * HOUR,
        14 * HOUR,
        20 * HOUR,
        24 * HOUR,
      ],
      jitterRatio: 0.1,
      retryNon2xx: false,
      deferDelayMs: 30 * SECOND,
    },
    attemptTimeoutMs: 30 * SECOND,
    apiVersion: '2026-11-01',
  },
  appmint: {
    name: 'appmint',
    brand: brandFromName('Appmint'),
    createdFormat: 'iso8601',
    signatureSchemes: ['sha256-hex', 'standard-webhooks'],
    retry: {
      // "Immediate retry, 1 minute, 5 minutes, 15 minutes, 1 hour, 6 hours, 24 hours later".
      delaysMs: [0, 1 * MINUTE, 5 * MINUTE, 15 * MINUTE, 1 * HOUR, 6 * HOUR, 24 * HOUR],
      jitterRatio: 0,
      retryNon2xx: false,
      deferDelayMs: 30 * SECOND,
    },
    attemptTimeoutMs: 30 * SECOND,
    apiVersion: '2024-01-01',
  },
  hackmamba: {
    name: 'hackmamba',
    brand: brandFromName('Hackmamba'),
    createdFormat: 'unix',
    signatureSchemes: ['sha256-hex', 'standard-webhooks'],
    retry: {
      // "Up to 3 times: 1 minute, 5 minutes, 15 minutes", for any non-2xx answer.
      delaysMs: [1 * MINUTE, 5 * MINUTE, 15 * MINUTE],
      jitterRatio: 0,
      retryNon2xx: true,
      deferDelayMs: 30 * SECOND,
    },
    attemptTimeoutMs: 30 * SECOND,
    apiVersion: '2024-01-01',
  },
};

/** Settings a deployment may override on top of its preset. */
export interface PresetOverrides {
  /** Display name; header prefix and User-Agent follow from it unless given too. */
  brandName?: string;
  /** Overrides the branded header prefix. */
  headerPrefix?: string;
  /** Overrides the User-Agent. */
  userAgent?: string;
  /** Overrides the `created` format. */
  createdFormat?: CreatedFormat;
  /** Overrides the signature schemes. */
  signatureSchemes?: readonly SignatureScheme[];
  /** Overrides the retry delays. */
  retryDelaysMs?: readonly number[];
  /** Overrides the jitter ratio. */
  retryJitterRatio?: number;
  /** Overrides whether 3xx/4xx answers retry. */
  retryNon2xx?: boolean;
  /** Overrides how long a deferred attempt waits. */
  deferDelayMs?: number;
  /** Overrides the per-attempt timeout. */
  attemptTimeoutMs?: number;
  /** Overrides the api_version stamped on events. */
  apiVersion?: string;
}

/** The preset `name` with `overrides` applied. */
export function resolvePreset(name: PresetName, overrides: PresetOverrides = {}): Preset {
  const base = PRESETS[name];
  const named = overrides.brandName ? brandFromName(overrides.brandName) : base.brand;
  return {
    name,
    brand: {
      name: named.name,
      headerPrefix: overrides.headerPrefix ?? named.headerPrefix,
      userAgent: overrides.userAgent ?? named.userAgent,
    },
    createdFormat: overrides.createdFormat ?? base.createdFormat,
    signatureSchemes: overrides.signatureSchemes ?? base.signatureSchemes,
    retry: {
      delaysMs: overrides.retryDelaysMs ?? base.retry.delaysMs,
      jitterRatio: overrides.retryJitterRatio ?? base.retry.jitterRatio,
      retryNon2xx: overrides.retryNon2xx ?? base.retry.retryNon2xx,
      deferDelayMs: overrides.deferDelayMs ?? base.retry.deferDelayMs,
    },
    attemptTimeoutMs: overrides.attemptTimeoutMs ?? base.attemptTimeoutMs,
    apiVersion: overrides.apiVersion ?? base.apiVersion,
  };
}
