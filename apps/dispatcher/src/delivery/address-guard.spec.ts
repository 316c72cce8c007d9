import { AddressGuard, mappedIPv4 } from './address-guard';

describe('AddressGuard', () => {
  const guard = new AddressGuard();

  it.each([
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.1.1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.100.100.200', 'cloud metadata'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique local'],
    ['ff02::1', 'multicast'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
  ])('refuses %s as %s', (address, label) => {
    const verdict = guard.check(address);
    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed === false && verdict.reason).toContain(label);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
  ])('allows public address %s', (address) => expect(guard.check(address)).toEqual({ allowed: true }));

  it('names the mapped address in the reason', () => {
    expect(guard.check('::ffff:127.0.0.1')).toEqual({
      allowed: false,
      reason: 'loopback address ::ffff:127.0.0.1 (IPv4-mapped 127.0.0.1) is not allowed (127.0.0.0/8)',
    });
  });

  it('lets an allow-listed range through, including its IPv4-mapped form', () => {
    const allowLoopback = new AddressGuard(['127.0.0.0/8', '::1']);
    expect(allowLoopback.check('127.0.0.1')).toEqual({ allowed: true });
    expect(allowLoopback.check('::1')).toEqual({ allowed: true });
    expect(allowLoopback.check('::ffff:127.0.0.1')).toEqual({ allowed: true });
    expect(allowLoopback.check('10.0.0.1').allowed).toBe(false);
    expect(allowLoopback.check('169.254.169.254').allowed).toBe(false);
  });

  it('rejects malformed allow-list entries at construction', () => {
    expect(() => new AddressGuard(['10.0.0.0/33'])).toThrow(/prefix/);
    expect(() => new AddressGuard(['nonsense/8'])).toThrow(/invalid address range/);
  });

  it('refuses what is not an IP address', () => {
    expect(guard.check('example.com').allowed).toBe(false);
  });
});

describe('mappedIPv4', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:7f00:0001', '127.0.0.1'],
    ['0:0:0:0:0:ffff:a00:1', '10.0.0.1'],
    ['::1', undefined],
    ['2001:db8::1', undefined],
  ])('%s → %s', (address, expected) => expect(mappedIPv4(address)).toBe(expected));
});
