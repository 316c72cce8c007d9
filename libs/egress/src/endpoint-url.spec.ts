import { AddressPolicy } from './address-policy';
import { checkUrlHost, hasUnsafeUrlCharacter } from './endpoint-url';

const policy = new AddressPolicy();
const hostOf = (url: string) => new URL(url).hostname;

describe('checkUrlHost', () => {
  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://0x7f.0.0.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://127.0.0.1./', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::127.0.0.1]/', 'loopback'],
    ['http://localhost/', 'loopback'],
    ['http://LOCALHOST./', 'loopback'],
    ['http://api.localhost/', 'loopback'],
    ['http://local%68ost/', 'loopback'],
    ['https://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['https://0xa9fea9fe/', 'cloud metadata'],
    ['https://[64:ff9b::a9fe:a9fe]/', 'cloud metadata'],
    ['https://[2002:a9fe:a9fe::]/', 'cloud metadata'],
    ['https://[2001::a9fe:a9fe]/', 'unspecified'],
    ['https://10.0.0.1/', 'private network'],
    ['https://[fd00::1]/', 'private network'],
    ['https://[fe80::1]/', 'link-local'],
  ])('refuses the host of %s as %s', (url, addressClass) => {
    expect(checkUrlHost(policy, hostOf(url))).toEqual({ allowed: false, addressClass });
  });

  it.each([
    'https://example.com/hooks',
    'https://8.8.8.8/',
    'https://[2606:4700::1111]/',
    'https://[2002:808:808::1]/',
    'https://localhost.example.com/',
    'https://mylocalhost/',
  ])('lets the host of %s pass', (url) => {
    expect(checkUrlHost(policy, hostOf(url))).toEqual({ allowed: true });
  });

  it('lets localhost through when loopback is allow-listed', () => {
    expect(checkUrlHost(new AddressPolicy(['127.0.0.0/8']), 'localhost')).toEqual({ allowed: true });
    expect(checkUrlHost(new AddressPolicy(['::1']), 'localhost')).toEqual({ allowed: true });
  });
});

describe('hasUnsafeUrlCharacter', () => {
  it.each([
    ['CR LF', 'https://example.com/a\r\nX-Injected: 1'],
    ['LF', 'https://exa\nmple.com/'],
    ['TAB', 'https://example.com/\ta'],
    ['a leading space', ' https://example.com/'],
    ['a trailing space', 'https://example.com/ '],
    ['an inner space', 'https://example.com/a b'],
    ['NUL', 'https://example.com/\u0000'],
    ['ESC', 'https://example.com/\u001b'],
    ['DEL', 'https://example.com/\u007f'],
    ['a C1 control', 'https://example.com/\u0085'],
    ['a no-break space', 'https://example.com/\u00a0'],
    ['a line separator', 'https://example.com/\u2028'],
    ['an ideographic space', 'https://example.com/\u3000'],
    ['a byte order mark', '\ufeffhttps://example.com/'],
  ])('finds %s', (_case, raw) => expect(hasUnsafeUrlCharacter(raw)).toBe(true));

  it.each(['https://example.com/hooks?a=b%20c&d=%0A', 'https://bücher.example/ß', 'https://[::1]:8443/x#y'])(
    'finds nothing in %s',
    (raw) => expect(hasUnsafeUrlCharacter(raw)).toBe(false),
  );
});
