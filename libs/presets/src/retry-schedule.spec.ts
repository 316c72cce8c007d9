import { PRESETS } from './presets';
import { nextRetry, retryTiers } from './retry-schedule';

const MIN = 60_000;
const noJitter = () => 0;

describe('nextRetry', () => {
  it('walks the appmint schedule then gives up after seven retries', () => {
    const delays = [];
    let attempts = 1;
    for (;;) {
      const decision = nextRetry(PRESETS.appmint.retry, attempts, { random: noJitter });
      if (decision.kind === 'give-up') break;
      expect(decision.attempt).toBe(attempts + 1);
      delays.push(decision.delayMs);
      attempts = decision.attempt;
    }
    expect(delays).toEqual([0, MIN, 5 * MIN, 15 * MIN, 60 * MIN, 360 * MIN, 1440 * MIN]);
    expect(attempts).toBe(8);
  });

  it('retries hackmamba three times', () => {
    expect(nextRetry(PRESETS.hackmamba.retry, 3).kind).toBe('retry');
    expect(nextRetry(PRESETS.hackmamba.retry, 4)).toEqual({ kind: 'give-up' });
  });

  it('only adds jitter, within the ratio, and keeps the nominal tier', () => {
    const policy = PRESETS.hookline.retry;
    const low = nextRetry(policy, 1, { random: () => 0 });
    const high = nextRetry(policy, 1, { random: () => 0.999 });
    expect(low).toEqual({ kind: 'retry', attempt: 2, delayMs: 5000, tierDelayMs: 5000 });
    expect(high.kind === 'retry' && high.delayMs).toBeGreaterThan(5000);
    expect(high.kind === 'retry' && high.delayMs).toBeLessThanOrEqual(5000 * (1 + policy.jitterRatio));
    expect(high.kind === 'retry' && high.tierDelayMs).toBe(5000);
  });

  it('honours a longer Retry-After by moving to a longer tier', () => {
    const policy = PRESETS.appmint.retry;
    const decision = nextRetry(policy, 2, { retryAfterMs: 2 * MIN, random: noJitter });
    expect(decision).toEqual({ kind: 'retry', attempt: 3, delayMs: 5 * MIN, tierDelayMs: 5 * MIN });
    const shorter = nextRetry(policy, 3, { retryAfterMs: 1000, random: noJitter });
    expect(shorter).toEqual({ kind: 'retry', attempt: 4, delayMs: 5 * MIN, tierDelayMs: 5 * MIN });
  });

  it('lists one tier per distinct delay, the deferral delay among them', () => {
    expect(
      retryTiers({ delaysMs: [5, 1, 5, 0], jitterRatio: 0, retryNon2xx: false, deferDelayMs: 3 }),
    ).toEqual([0, 1, 3, 5]);
    expect(
      retryTiers({ delaysMs: [5, 1, 5, 0], jitterRatio: 0, retryNon2xx: false, deferDelayMs: 5 }),
    ).toEqual([0, 1, 5]);
  });
});
