import type { SendResult } from './http-sender';
import { classifyAttempt, parseRetryAfter } from './response-classifier';

const response = (status: number, headers: Record<string, string> = {}): SendResult => ({
  kind: 'response',
  status,
  headers,
  bodyExcerpt: '',
  durationMs: 1,
});
const strict = { retryNon2xx: false, maxRetryAfterMs: 3_600_000 };
const lenient = { retryNon2xx: true, maxRetryAfterMs: 3_600_000 };

describe('classifyAttempt', () => {
  it.each([200, 201, 202, 204, 299])('%d is delivered', (status) => {
    expect(classifyAttempt(response(status), strict)).toEqual({ kind: 'delivered', status });
  });

  it.each([408, 429, 500, 502, 503, 504])('%d is retryable under every preset', (status) => {
    expect(classifyAttempt(response(status), strict).kind).toBe('retryable');
    expect(classifyAttempt(response(status), lenient).kind).toBe('retryable');
  });

  it('410 is permanent and disables the endpoint, even when non-2xx retries', () => {
    for (const policy of [strict, lenient]) {
      expect(classifyAttempt(response(410), policy)).toMatchObject({
        kind: 'permanent',
        disableEndpoint: true,
      });
    }
  });

  it.each([301, 302, 400, 401, 403, 404, 422])('%d is permanent unless every non-2xx retries', (status) => {
    expect(classifyAttempt(response(status), strict)).toMatchObject({
      kind: 'permanent',
      disableEndpoint: false,
    });
    expect(classifyAttempt(response(status), lenient)).toMatchObject({ kind: 'retryable', status });
  });

  it.each(['timeout', 'connection-refused', 'connection-reset', 'dns', 'tls', 'network'] as const)(
    'a %s error is retryable',
    (errorClass) => {
      expect(classifyAttempt({ kind: 'error', errorClass, message: 'm', durationMs: 1 }, strict).kind).toBe(
        'retryable',
      );
    },
  );

  it.each(['blocked-address', 'http-not-allowed', 'invalid-url'] as const)(
    'a %s refusal is permanent',
    (errorClass) => {
      const outcome = classifyAttempt({ kind: 'error', errorClass, message: 'why', durationMs: 0 }, lenient);
      expect(outcome).toEqual({ kind: 'permanent', reason: `${errorClass}: why`, disableEndpoint: false });
    },
  );

  it('honours Retry-After on 429 and 503, bounded', () => {
    expect(classifyAttempt(response(429, { 'retry-after': '120' }), strict)).toMatchObject({
      retryAfterMs: 120_000,
    });
    expect(classifyAttempt(response(503, { 'retry-after': '999999' }), strict)).toMatchObject({
      retryAfterMs: 3_600_000,
    });
    expect(classifyAttempt(response(500, { 'retry-after': '120' }), strict)).not.toHaveProperty(
      'retryAfterMs',
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('30', now, 1e9)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now, 1e9)).toBe(60_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now, 1e9)).toBe(0);
  });
  it('ignores malformed values', () => {
    expect(parseRetryAfter('soon', now, 1e9)).toBeUndefined();
    expect(parseRetryAfter(undefined, now, 1e9)).toBeUndefined();
  });
});
