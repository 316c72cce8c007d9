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
    );

  it('admits the admin token and says when the operator API is off', () => {
    expect(operators(token).authenticate(`Bearer ${token}`, { address: '203.0.113.1' })).toBe('admitted');
    expect(operators(undefined).authenticate(`Bearer ${token}`, { address: '203.0.113.1' })).toBe('disabled');
  });

  it('brakes an address after repeated wrong tokens, without comparing the right one then', () => {
    const checker = operators(token);
    const from = { address: '203.0.113.2' };
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(() => checker.authenticate('Bearer wrong', from)).toThrow(UnauthenticatedError);
    }
    expect(() => checker.authenticate(`Bearer ${token}`, from)).toThrow(RateLimitedError);
    expect(checker.authenticate(`Bearer ${token}`, { address: '203.0.113.3' })).toBe('admitted');
  });

  it('does not count calls without credentials', () => {
    const checker = operators(token);
    const from = { address: '203.0.113.4' };
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect(() => checker.authenticate(undefined, from)).toThrow(UnauthenticatedError);
    }
    expect(checker.authenticate(`Bearer ${token}`, from)).toBe('admitted');
  });
});
