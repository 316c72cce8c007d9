import { subscribedTypes } from '../src/api';
import { decodeClaims, sessionFromToken } from '../src/session';

const claims = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('portal session token', () => {
  it('reads tenant, read-only flag and expiry from a portal token', () => {
    const token = `hlp_${claims({ sid: 'ps_1', tenant: 'ten_1', ro: true, exp: 1_900_000_000 })}.${'A'.repeat(43)}`;
    expect(sessionFromToken(token)).toEqual({
      token,
      tenant: 'ten_1',
      readOnly: true,
      expiresAt: new Date(1_900_000_000_000),
    });
  });

  it('treats an API key (or anything unreadable) as a full session without expiry', () => {
    expect(sessionFromToken('hl_sk_abcdef')).toMatchObject({
      tenant: null,
      readOnly: false,
      expiresAt: null,
    });
    expect(decodeClaims('hlp_not-json.sig')).toEqual({});
  });
});

describe('subscribed types', () => {
  const catalogue = ['user.created', 'user.deleted', 'payment.succeeded'].map((type) => ({
    type,
    object: 'event_type' as const,
    group: type.split('.')[0],
    category: 'c',
    description: 'd',
    schema: {},
    sample: {},
  }));

  it('expands exact types, group wildcards and * against the catalogue', () => {
    expect(subscribedTypes(['user.created'], catalogue)).toEqual(['user.created']);
    expect(subscribedTypes(['user.*'], catalogue)).toEqual(['user.created', 'user.deleted']);
    expect(subscribedTypes(['*'], catalogue)).toHaveLength(3);
    expect(subscribedTypes(['users.*'], catalogue)).toEqual([]);
  });
});
