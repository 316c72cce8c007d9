import { describeAddressClass } from './address-class';
import { AddressPolicy, isAddressRange } from './address-policy';

describe('AddressPolicy', () => {
  const policy = new AddressPolicy();

  it.each([
    // IPv4 special-purpose ranges
    ['10.0.0.1', 'private network'],
    ['172.16.5.4', 'private network'],
    ['172.31.255.255', 'private network'],
    ['192.168.1.1', 'private network'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.170.2', 'cloud metadata'],
    ['100.100.100.200', 'cloud metadata'],
    ['192.0.0.192', 'cloud metadata'],
    ['168.63.129.16', 'cloud metadata'],
    ['169.254.1.1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['192.0.0.170', 'reserved'],
    ['192.88.99.1', 'reserved'],
    ['192.31.196.1', 'reserved'],
    ['192.52.193.1', 'reserved'],
    ['192.175.48.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    // IPv6 special-purpose ranges
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'private network'],
    ['fd12:3456::1', 'private network'],
    ['ff02::1', 'multicast'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['fec0::1', 'site-local'],
    ['100::1', 'discard-only'],
    ['100:0:0:1::1', 'reserved'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001:2::1', 'benchmarking'],
    ['2001:1::1', 'reserved'],
    ['2001:3::1', 'reserved'],
    ['2001:4:112::1', 'reserved'],
    ['2001:10::1', 'reserved'],
    ['2001:20::1', 'reserved'],
    ['2001:30::1', 'reserved'],
    ['2620:4f:8000::1', 'reserved'],
    ['5f00::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['::1:0:0:1', 'reserved'],
    // IPv4-mapped, ::ffff:0:0/96
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private network'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    // IPv4-compatible, ::/96
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::a9fe:a9fe', 'cloud metadata'],
    ['::10.0.0.1', 'private network'],
    // IPv4-translated, ::ffff:0:0:0/96
    ['::ffff:0:127.0.0.1', 'loopback'],
    // NAT64, 64:ff9b::/96 and the local-use 64:ff9b:1::/48
    ['64:ff9b::a9fe:a9fe', 'cloud metadata'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b:1::a00:1', 'private network'],
    // 6to4, 2002::/16: the IPv4 address is bits 16-47
    ['2002:a9fe:a9fe::', 'cloud metadata'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:c0a8:101::1', 'private network'],
    ['2002:c058:6301::1', 'reserved'],
    // Teredo, 2001::/32: server in bits 32-63, client in the last 32 bits inverted
    ['2001::a9fe:a9fe', 'unspecified'],
    ['2001:0:808:808::80ff:fffe', 'loopback'],
    ['2001:0:808:808::5601:5601', 'cloud metadata'],
    ['2001:0:a00:1::f7f7:f7f7', 'private network'],
  ])('refuses %s as %s', (address, addressClass) => {
    expect(policy.check(address)).toEqual({ allowed: false, addressClass });
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '172.32.0.1',
    '100.128.0.1',
    '169.255.0.1',
    '2606:4700::1111',
    '2606:4700:4700::1111',
    '2a00:1450:4001:82b::200e',
    '::ffff:8.8.8.8',
    '::808:808',
    '64:ff9b::808:808',
    '64:ff9b::8.8.8.8',
    // 6to4 of 8.8.8.8
    '2002:808:808::1',
    // Teredo with server 8.8.8.8 and client 1.1.1.1; server 65.54.227.120 and client 8.8.8.8
    '2001:0:808:808::fefe:fefe',
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
  ])('allows the public address %s', (address) => {
    expect(policy.check(address)).toEqual({ allowed: true });
  });

  it.each(['example.com', '', '127.1', '0x7f.0.0.1', '2130706433', '[::1]', '::ffff:127.0.0.1/128'])(
    'refuses %j, which is not an IP address in canonical notation',
    (address) => expect(policy.check(address)).toEqual({ allowed: false, addressClass: 'invalid' }),
  );

  describe('with an allow-list', () => {
    const loopback = new AddressPolicy(['127.0.0.0/8', '::1']);

    it('lets the listed ranges through, with the IPv6 forms that embed a listed IPv4 address', () => {
      for (const address of [
        '127.0.0.1',
        '127.4.5.6',
        '::1',
        '::ffff:127.0.0.1',
        '::127.0.0.1',
        '2002:7f00:1::',
      ]) {
        expect(loopback.check(address)).toEqual({ allowed: true });
      }
    });

    it('refuses everything else as before', () => {
      expect(loopback.check('10.0.0.1')).toEqual({ allowed: false, addressClass: 'private network' });
      expect(loopback.check('169.254.169.254')).toEqual({ allowed: false, addressClass: 'cloud metadata' });
      expect(loopback.check('::ffff:10.0.0.1')).toEqual({ allowed: false, addressClass: 'private network' });
      expect(loopback.check('::2')).toEqual({ allowed: false, addressClass: 'unspecified' });
    });

    it('takes single addresses and IPv6 ranges', () => {
      const listed = new AddressPolicy(['10.1.2.3', 'fd00::/8']);
      expect(listed.check('10.1.2.3')).toEqual({ allowed: true });
      expect(listed.check('10.1.2.4')).toEqual({ allowed: false, addressClass: 'private network' });
      expect(listed.check('fd12::1')).toEqual({ allowed: true });
      expect(listed.check('fc00::1')).toEqual({ allowed: false, addressClass: 'private network' });
    });

    it('refuses a malformed entry at construction', () => {
      expect(() => new AddressPolicy(['10.0.0.0/33'])).toThrow(/prefix/);
      expect(() => new AddressPolicy(['::/129'])).toThrow(/prefix/);
      expect(() => new AddressPolicy(['10.0.0.0/x'])).toThrow(/prefix/);
      expect(() => new AddressPolicy(['nonsense/8'])).toThrow(/invalid address range/);
      expect(() => new AddressPolicy(['127.1'])).toThrow(/invalid address range/);
      expect(() => new AddressPolicy(['10.0.0.0/8/9'])).toThrow(/invalid address range/);
    });
  });
});

describe('isAddressRange', () => {
  it.each(['127.0.0.0/8', '10.1.2.3', '::1', 'fd00::/8', '0.0.0.0/0'])('accepts %s', (entry) =>
    expect(isAddressRange(entry)).toBe(true),
  );
  it.each(['10.0.0.0/33', 'localhost', '10.0.0.0/', '10.0.0/8', '::/-1'])('refuses %s', (entry) =>
    expect(isAddressRange(entry)).toBe(false),
  );
});

describe('describeAddressClass', () => {
  it.each([
    ['loopback', 'a loopback address'],
    ['private network', 'a private network address'],
    ['unspecified', 'an unspecified address'],
  ] as const)('%s → %s', (addressClass, text) => expect(describeAddressClass(addressClass)).toBe(text));
});
