import { AuthFailureBrake } from '@hookline/tenancy';
import type { SubscriptionConfig } from '../config';
import { RateLimitedError, UnauthenticatedError } from '../errors/domain.errors';
import { OperatorTokenAuthenticator, tokensMatch } from './operator-token.authenticator';

describe('tokensMatch', () => {
  it('matches only the identical token, whatever the lengths', () => {
    const token = 'a'.repeat(32);
    expect(tokensMatch(token, token)).toBe(true);
    expect(tokensMatch(`${token}b`, token)).toBe(false);
    expect(tokensMatch(token.slice(1), token)).toBe(false);
    expect(tokensMatch('', token)).toBe(false);
    expect(tokensMatch('b'.repeat(32), token)).toBe(false);
  });
});

describe('OperatorTokenAuthenticator', () => {
  const token = 't'.repeat(32);
  const operators = (adminToken: string | undefined) =>
    new OperatorTokenAuthenticator(
      { subscription: { adminToken } } as SubscriptionConfig,
      new AuthFailureBrake({ maxFailures: 3, windowMs: 60_000, maxTracked: 100 }),
      { verify: async () => false },
    );

  it('admits the admin token and says when the operator API is off', async () => {
    await expect(operators(token).authenticate(`Bearer ${token}`, { address: '203.0.113.1' })).resolves.toBe(
      'admitted',
    );
    await expect(
      operators(undefined).authenticate(`Bearer ${token}`, { address: '203.0.113.1' }),
    ).resolves.toBe('disabled');
  });

  it('brakes an address after repeated wrong tokens, without comparing the right one then', async () => {
    const checker = operators(token);
    const from = { address: '203.0.113.2' };
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(checker.authenticate('Bearer wrong', from)).rejects.toThrow(UnauthenticatedError);
    }
    await expect(checker.authenticate(`Bearer ${token}`, from)).rejects.toThrow(RateLimitedError);
    await expect(checker.authenticate(`Bearer ${token}`, { address: '203.0.113.3' })).resolves.toBe(
      'admitted',
    );
  });

  it('does not count calls without credentials', async () => {
    const checker = operators(token);
    const from = { address: '203.0.113.4' };
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await expect(checker.authenticate(undefined, from)).rejects.toThrow(UnauthenticatedError);
    }
    await expect(checker.authenticate(`Bearer ${token}`, from)).resolves.toBe('admitted');
  });
});
