import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@hookline/config';
import { DEFAULT_GRPC_PORT, loadConfig } from '../config';

// The configuration only checks that the files hold PEM blocks; grpc-js parses them at bind time.
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n';
const dir = mkdtempSync(join(tmpdir(), 'hookline-grpc-config-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const tlsFiles = () => ({
  SUBSCRIPTION_GRPC_TLS_CERT_FILE: file('server.crt', CERT),
  SUBSCRIPTION_GRPC_TLS_KEY_FILE: file('server.key', KEY),
});

// Production also needs the keys that seal secrets at rest.
const PRODUCTION = {
  NODE_ENV: 'production',
  HOOKLINE_SECRET_KEYS: `k1:${randomBytes(32).toString('base64')}`,
};

function problems(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('gRPC admin API settings', () => {
  it('serve plaintext on loopback by default in development', () => {
    expect(loadConfig({}).posture).toBe('development');
    expect(loadConfig({}).grpc).toEqual({ host: '127.0.0.1', port: DEFAULT_GRPC_PORT, tls: undefined });
    // HOST exposes HTTP; plaintext gRPC stays on loopback unless asked for by its own key.
    expect(loadConfig({ HOST: '0.0.0.0' }).grpc.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0', SUBSCRIPTION_GRPC_HOST: '0.0.0.0' }).grpc.host).toBe('0.0.0.0');
  });

  it('follow HOST with TLS, and read the certificate, key and client CA', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      ...tlsFiles(),
      SUBSCRIPTION_GRPC_TLS_CLIENT_CA_FILE: file('clients-ca.crt', CERT),
    });
    expect(config.grpc).toEqual({
      host: '0.0.0.0',
      port: DEFAULT_GRPC_PORT,
      tls: { cert: CERT, key: KEY, clientCa: CERT },
    });
    expect(loadConfig(tlsFiles()).grpc.tls?.clientCa).toBeUndefined();
  });

  it('refuse plaintext on a non-loopback interface in production unless explicitly allowed', () => {
    expect(problems({ ...PRODUCTION })).toEqual([
      expect.stringMatching(
        /^SUBSCRIPTION_GRPC_TLS_CERT_FILE: is required in production \(NODE_ENV=production\) for the gRPC admin API on 0\.0\.0\.0/,
      ),
    ]);
    expect(problems({ ...PRODUCTION, SUBSCRIPTION_GRPC_HOST: '10.1.2.3' })).toHaveLength(1);
    const allowed = loadConfig({ ...PRODUCTION, SUBSCRIPTION_GRPC_ALLOW_PLAINTEXT: 'true' });
    expect([allowed.posture, allowed.grpc.host, allowed.grpc.tls]).toEqual([
      'production',
      '0.0.0.0',
      undefined,
    ]);
    expect(loadConfig({ ...PRODUCTION, SUBSCRIPTION_GRPC_HOST: '127.0.0.1' }).grpc.host).toBe('127.0.0.1');
    expect(loadConfig({ ...PRODUCTION, ...tlsFiles() }).grpc.tls).toMatchObject({ cert: CERT });
  });

  it.each<[Record<string, string>, RegExp]>([
    [
      { SUBSCRIPTION_GRPC_TLS_CERT_FILE: 'CERT' },
      /^SUBSCRIPTION_GRPC_TLS_KEY_FILE: is required with SUBSCRIPTION_GRPC_TLS_CERT_FILE/,
    ],
    [
      { SUBSCRIPTION_GRPC_TLS_KEY_FILE: 'KEY' },
      /^SUBSCRIPTION_GRPC_TLS_CERT_FILE: is required with SUBSCRIPTION_GRPC_TLS_KEY_FILE/,
    ],
    [
      { SUBSCRIPTION_GRPC_TLS_CLIENT_CA_FILE: 'CERT' },
      /^SUBSCRIPTION_GRPC_TLS_CLIENT_CA_FILE: needs SUBSCRIPTION_GRPC_TLS_CERT_FILE/,
    ],
    [
      { TLS: 'yes', SUBSCRIPTION_GRPC_ALLOW_PLAINTEXT: 'true' },
      /^SUBSCRIPTION_GRPC_ALLOW_PLAINTEXT: must not be set together/,
    ],
    [
      { TLS: 'yes', SUBSCRIPTION_GRPC_TLS_KEY_FILE: 'CERT' },
      /^SUBSCRIPTION_GRPC_TLS_KEY_FILE: .*holds no PEM private key$/,
    ],
    [
      { TLS: 'yes', SUBSCRIPTION_GRPC_TLS_CERT_FILE: '/nonexistent/server.crt' },
      /^SUBSCRIPTION_GRPC_TLS_CERT_FILE: cannot read \/nonexistent\/server\.crt: ENOENT$/,
    ],
  ])('refuse %p', (given, expected) => {
    const env: NodeJS.ProcessEnv = given.TLS ? tlsFiles() : {};
    for (const [key, value] of Object.entries(given)) {
      if (key === 'TLS') continue;
      env[key] = value === 'CERT' ? file('any.crt', CERT) : value === 'KEY' ? file('any.key', KEY) : value;
    }
    expect(problems(env)).toEqual([expect.stringMatching(expected)]);
  });

  it('default to a free port when HTTP takes a free port, so instances started that way never collide', () => {
    expect(loadConfig({ PORT: '0' }).grpc.port).toBe(0);
  });

  it('read SUBSCRIPTION_GRPC_HOST and SUBSCRIPTION_GRPC_PORT', () => {
    expect(loadConfig({ SUBSCRIPTION_GRPC_HOST: '::', SUBSCRIPTION_GRPC_PORT: '6000' }).grpc).toEqual({
      host: '::',
      port: 6000,
      tls: undefined,
    });
  });

  it.each([['-1'], ['65536'], ['grpc'], ['3002']])('refuse SUBSCRIPTION_GRPC_PORT=%s', (value) => {
    expect(() => loadConfig({ SUBSCRIPTION_GRPC_PORT: value })).toThrow(ConfigError);
    try {
      loadConfig({ SUBSCRIPTION_GRPC_PORT: value });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^SUBSCRIPTION_GRPC_PORT/)]);
    }
  });
});
