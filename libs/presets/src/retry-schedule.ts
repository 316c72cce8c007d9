import type { RetryPolicy } from './presets';

/** What to do after a retryable failure. */
export type RetryDecision =
  | {
      readonly kind: 'retry';
      /** Number of the next attempt (2 for the first retry). */
      readonly attempt: number;
      /** How long from now the next attempt is due. */
      readonly delayMs: number;
      /** The fixed delay of the retry tier (topic) that holds the task meanwhile. */
      readonly tierDelayMs: number;
    }
  | { readonly kind: 'give-up' };

/** The distinct delays of a schedule and its deferral, ascending: one retry tier each. */
export function retryTiers(policy: RetryPolicy): number[] {
  return [...new Set([...policy.delaysMs, policy.deferDelayMs])].sort((a, b) => a - b);
}

/**
 * Decides the next attempt after `attemptsMade` attempts failed retryably.
 *
 * Jitter only ever adds (up to `jitterRatio` of the delay), so an attempt is never due before its
 * scheduled time, and a task waits at most that much behind an earlier one in its tier. When the
 * endpoint asked for more time (`Retry-After`, already bounded by the caller), the task moves to the
 * shortest tier at least that long, or the longest tier when none is.
 */
export function nextRetry(
  policy: RetryPolicy,
  attemptsMade: number,
  options: { readonly retryAfterMs?: number; readonly random?: () => number } = {},
): RetryDecision {
  const index = attemptsMade - 1;
  if (index < 0 || index >= policy.delaysMs.length) return { kind: 'give-up' };
  const nominal = policy.delaysMs[index];
  const random = options.random ?? Math.random;
  const jittered = nominal + Math.floor(nominal * policy.jitterRatio * random());
  const retryAfter = options.retryAfterMs;
  if (retryAfter !== undefined && retryAfter > jittered) {
    const tiers = retryTiers(policy);
    const tier = tiers.find((t) => t >= retryAfter) ?? tiers[tiers.length - 1];
    return { kind: 'retry', attempt: attemptsMade + 1, delayMs: Math.max(tier, jittered), tierDelayMs: tier };
  }
  return { kind: 'retry', attempt: attemptsMade + 1, delayMs: jittered, tierDelayMs: nominal };
}
