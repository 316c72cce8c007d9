import { AuthFailureBrake, invalidProxyEntries, TrustedProxies } from './auth-failure.brake';

describe('AuthFailureBrake', () => {
  let clock: number;
  const brake = (maxFailures = 3, maxTracked = 1000) =>
    new AuthFailureBrake({ maxFailures, windowMs: 60_000, maxTracked, now: () => clock });

  beforeEach(() => {
    clock = 1_000_000;
  });

  it('brakes an address after maxFailures within the window, until the window ends', () => {
    const limiter = brake();
    const subject = { address: '203.0.113.7' };
    for (let failure = 0; failure < 3; failure += 1) {
      expect(limiter.check(subject)).toEqual({ kind: 'open' });
      limiter.recordFailure(subject);
      clock += 1_000;
    }
    // The window began at the first failure, 3 s ago: 57 s are left.
    expect(limiter.check(subject)).toEqual({ kind: 'braked', by: 'address', retryAfterSeconds: 57 });
    expect(limiter.check({ address: '203.0.113.8' })).toEqual({ kind: 'open' });
    clock += 56_500;
    expect(limiter.check(subject)).toEqual({ kind: 'braked', by: 'address', retryAfterSeconds: 1 });
    clock += 500;
    expect(limiter.check(subject)).toEqual({ kind: 'open' });
    // A new window counts from zero.
    limiter.recordFailure(subject);
    expect(limiter.check(subject)).toEqual({ kind: 'open' });
  });

  it('brakes a key prefix sprayed from many addresses, except where the key has worked', () => {
    const limiter = brake();
    limiter.recordSuccess({ address: '198.51.100.1', keyPrefix: 'hl_sk_AbCdEf' });
    for (let address = 10; address < 13; address += 1) {
      limiter.recordFailure({ address: `203.0.113.${address}`, keyPrefix: 'hl_sk_AbCdEf' });
    }
    expect(limiter.check({ address: '203.0.113.99', keyPrefix: 'hl_sk_AbCdEf' })).toMatchObject({
      kind: 'braked',
      by: 'key_prefix',
    });
    expect(limiter.check({ address: '198.51.100.1', keyPrefix: 'hl_sk_AbCdEf' })).toEqual({ kind: 'open' });
    expect(limiter.check({ address: '203.0.113.99', keyPrefix: 'hl_sk_Other1' })).toEqual({ kind: 'open' });
  });

  it('keeps letting a key through from an address braked by others sharing it (a NAT, a proxy)', () => {
    const limiter = brake();
    const client = { address: '198.51.100.1', keyPrefix: 'hl_sk_AbCdEf' };
    limiter.recordSuccess(client);
    for (let failure = 0; failure < 3; failure += 1)
      limiter.recordFailure({ address: client.address, keyPrefix: `hl_sk_Spray${failure}` });
    expect(limiter.check({ address: client.address, keyPrefix: 'hl_sk_Spray9' })).toMatchObject({
      kind: 'braked',
      by: 'address',
    });
    expect(limiter.check({ address: client.address })).toMatchObject({ kind: 'braked', by: 'address' });
    expect(limiter.check(client)).toEqual({ kind: 'open' });
    // For a day after its last success there.
    clock += 24 * 60 * 60 * 1000;
    for (let failure = 0; failure < 3; failure += 1) limiter.recordFailure({ address: client.address });
    expect(limiter.check(client)).toMatchObject({ kind: 'braked', by: 'address' });
  });

  it('keeps at most maxTracked subjects of each kind, however many addresses spray', () => {
    const limiter = brake(3, 100);
    for (let index = 0; index < 5_000; index += 1) {
      const address = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
      limiter.recordFailure({ address, keyPrefix: `hl_sk_${String(index).padStart(6, '0')}` });
      limiter.recordSuccess({ address, keyPrefix: `hl_sk_${index}` });
    }
    expect(limiter.tracked).toEqual({ addresses: 100, keyPrefixes: 100, trusted: 100 });
  });

  it('does nothing with maxFailures 0', () => {
    const limiter = brake(0);
    for (let failure = 0; failure < 100; failure += 1) limiter.recordFailure({ address: '203.0.113.7' });
    expect(limiter.check({ address: '203.0.113.7' })).toEqual({ kind: 'open' });
    expect(limiter.tracked.addresses).toBe(0);
  });
});

describe('TrustedProxies', () => {
  it('takes the peer as the client when it is not a trusted proxy', () => {
    const proxies = new TrustedProxies(['10.0.0.0/8']);
    expect(proxies.clientAddress('203.0.113.7', '198.51.100.1')).toBe('203.0.113.7');
    expect(proxies.clientAddress('::ffff:203.0.113.7', undefined)).toBe('203.0.113.7');
    expect(new TrustedProxies([]).clientAddress('10.0.0.1', '198.51.100.1')).toBe('10.0.0.1');
    expect(proxies.clientAddress(undefined, '198.51.100.1')).toBeUndefined();
  });

  it('takes the right-most X-Forwarded-For hop that is not a trusted proxy', () => {
    const proxies = new TrustedProxies(['10.0.0.0/8', 'fd00::/8', '192.0.2.1']);
    // Entries left of the first untrusted hop are the client's own and may be forged.
    expect(proxies.clientAddress('10.1.2.3', '1.1.1.1, 198.51.100.1, 10.9.9.9')).toBe('198.51.100.1');
    expect(proxies.clientAddress('192.0.2.1', '2001:db8::5')).toBe('2001:db8::5');
    expect(proxies.clientAddress('fd00::1', '10.0.0.2,10.0.0.3')).toBe('10.0.0.2');
    // A hop that is not an address is not believed: the proxy itself is the client then.
    expect(proxies.clientAddress('10.1.2.3', 'unknown, 10.0.0.4')).toBe('10.1.2.3');
  });

  it('names entries that are neither addresses nor ranges', () => {
    expect(
      invalidProxyEntries(['10.0.0.0/8', '::1', 'fd00::/129', '10.0.0.0/33', 'proxy', '1.2.3.4/8/1']),
    ).toEqual(['fd00::/129', '10.0.0.0/33', 'proxy', '1.2.3.4/8/1']);
  });
});
