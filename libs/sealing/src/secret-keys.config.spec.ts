import { randomBytes } from 'node:crypto';
import { ConfigError, readConfig } from '@hookline/config';
import { parseSecretKeys, readSecretKeys } from './secret-keys.config';

const b64 = (bytes = 32) => randomBytes(bytes).toString('base64');
const noFile = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
};

function load(env: NodeJS.ProcessEnv, readFile: (path: string) => string = noFile) {
  return readConfig(env, (r) => readSecretKeys(r, readFile));
}

function problems(env: NodeJS.ProcessEnv, readFile?: (path: string) => string): string {
  try {
    load(env, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('readSecretKeys', () => {
  it('reads the inline list, active key first', () => {
    const ring = load({ HOOKLINE_SECRET_KEYS: `k2:${b64()}, k1:${b64()}` });
    expect(ring.toJSON()).toEqual({ activeKid: 'k2', kids: ['k2', 'k1'], development: false });
  });

  it('reads a file (a mounted Kubernetes Secret), one key per line, with comments', () => {
    const urlSafe = randomBytes(32).toString('base64url');
    const ring = load({ HOOKLINE_SECRET_KEYS_FILE: '/etc/hookline/secret-keys/keys' }, (path) => {
      expect(path).toBe('/etc/hookline/secret-keys/keys');
      return `# active first\n2026-12:${b64()}\n\n2026-06:${urlSafe}\n`;
    });
    expect(ring.kids).toEqual(['2026-12', '2026-06']);
  });

  it('falls back to the development key without configuration, outside production', () => {
    const ring = load({});
    expect(ring.development).toBe(true);
    expect(load({ NODE_ENV: 'development' }).development).toBe(true);
  });

  it('refuses to run on the development key in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toMatch(
      /HOOKLINE_SECRET_KEYS: is required when NODE_ENV=production/,
    );
    expect(load({ NODE_ENV: 'production', HOOKLINE_SECRET_KEYS: `k1:${b64()}` }).development).toBe(false);
  });

  it('names every problem, never the key material', () => {
    const short = b64(16);
    const message = problems({
      HOOKLINE_SECRET_KEYS: `k1:${short},k1:${b64()},nokey,bad id:${b64()},k3:%%%`,
    });
    expect(message).toContain('key "k1" must be 32 bytes (AES-256), got 16');
    expect(message).toContain('key id "k1" appears more than once');
    expect(message).toContain('entry 3 is not "kid:base64key"');
    expect(message).toContain('entry 4: the key id must be');
    expect(message).toContain('key "k3" is not base64');
    expect(message).not.toContain(short);
  });

  it('refuses both sources at once, an unreadable file and an empty one', () => {
    expect(problems({ HOOKLINE_SECRET_KEYS: `k1:${b64()}`, HOOKLINE_SECRET_KEYS_FILE: '/x' })).toMatch(
      /HOOKLINE_SECRET_KEYS_FILE: set either/,
    );
    expect(problems({ HOOKLINE_SECRET_KEYS_FILE: '/missing' })).toMatch(/cannot read \/missing: ENOENT/);
    expect(problems({ HOOKLINE_SECRET_KEYS_FILE: '/empty' }, () => '# nothing yet\n')).toMatch(
      /holds no key/,
    );
  });
});

describe('parseSecretKeys', () => {
  it('accepts standard and URL-safe base64', () => {
    const parsed = parseSecretKeys(`a:${b64()},b:${randomBytes(32).toString('base64url')}`);
    expect(parsed.ok && parsed.keys.map((k) => [k.kid, k.key.length])).toEqual([
      ['a', 32],
      ['b', 32],
    ]);
  });
});
