import type { SendErrorClass, SendResult } from './http-sender';

/** What one attempt means for the delivery. */
export type AttemptOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | {
      readonly kind: 'retryable';
      readonly reason: string;
      readonly status?: number;
      /** Asked for by the endpoint with `Retry-After` (429/503), already bounded. */
      readonly retryAfterMs?: number;
    }
  | {
      readonly kind: 'permanent';
      readonly reason: string;
      readonly status?: number;
      readonly disableEndpoint: boolean;
    };

/** Rules the classifier applies; they come from the preset. */
export interface ClassifierPolicy {
  /** Whether 3xx/4xx answers other than 408, 410 and 429 are retried (the Hackmamba page retries any non-2xx). */
  readonly retryNon2xx: boolean;
  /** Upper bound on an endpoint's `Retry-After`, so one endpoint cannot park a delivery for days. */
  readonly maxRetryAfterMs: number;
}

const PERMANENT_ERRORS: ReadonlySet<SendErrorClass> = new Set([
  'blocked-address',
  'http-not-allowed',
  'invalid-url',
]);

/** Maps an attempt's result to delivered, retryable or permanent. */
export function classifyAttempt(
  result: SendResult,
  policy: ClassifierPolicy,
  now: number = Date.now(),
): AttemptOutcome {
  if (result.kind === 'error') {
    if (PERMANENT_ERRORS.has(result.errorClass)) {
      return { kind: 'permanent', reason: `${result.errorClass}: ${result.message}`, disableEndpoint: false };
    }
    return { kind: 'retryable', reason: `${result.errorClass}: ${result.message}` };
  }
  const status = result.status;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 410) {
    return { kind: 'permanent', reason: 'the endpoint answered 410 Gone', status, disableEndpoint: true };
  }
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(result.headers['retry-after'], now, policy.maxRetryAfterMs);
    return {
      kind: 'retryable',
      reason: `HTTP ${status}`,
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  if (status === 408 || status >= 500) return { kind: 'retryable', reason: `HTTP ${status}`, status };
  if (policy.retryNon2xx) return { kind: 'retryable', reason: `HTTP ${status}`, status };
  return { kind: 'permanent', reason: `HTTP ${status}`, status, disableEndpoint: false };
}

/** `Retry-After` as delay-seconds or an HTTP date, clamped to [0, max]; `undefined` when absent or malformed. */
export function parseRetryAfter(value: string | undefined, now: number, maxMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(ms, 0), maxMs);
}
