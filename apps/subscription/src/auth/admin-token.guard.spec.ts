import { tokensMatch } from './admin-token.guard';

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
