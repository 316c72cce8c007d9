import { ConfigError, readConfig } from '@hookline/config';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaConnection } from './kafka.client';
import { readKafkaConfig } from './read-kafka-config';

const read = (env: NodeJS.ProcessEnv) => readConfig(env, (r) => readKafkaConfig(r, { clientId: 'svc' }));

/** The message of the ConfigError `env` is refused with. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    read(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('readKafkaConfig', () => {
  it('has working defaults for a local broker', () => {
    expect(read({})).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'svc',
      ssl: false,
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 30000,
      logLevel: 'warn',
    });
  });

  it('reads brokers, TLS, SASL and timeouts', () => {
    const config = read({
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'hookline',
      KAFKA_SASL_PASSWORD: 's3cret',
      KAFKA_REQUEST_TIMEOUT: '10s',
    });
    expect(config).toMatchObject({
      brokers: ['k1:9092', 'k2:9092'],
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'hookline', password: 's3cret' },
      requestTimeoutMs: 10_000,
    });
  });

  it('names every bad key and never echoes the password', () => {
    let error: unknown;
    try {
      read({
        KAFKA_BROKERS: 'nohost',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_PASSWORD: 'hunter2',
        KAFKA_LOG_LEVEL: 'loud',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('KAFKA_BROKERS');
    expect(message).toContain('KAFKA_SASL_USERNAME');
    expect(message).toContain('KAFKA_LOG_LEVEL');
    expect(message).not.toContain('hunter2');
  });

  it('refuses SASL credentials without a mechanism, naming the key, and a mechanism without credentials', () => {
    const withoutMechanism = refusal({ KAFKA_SASL_USERNAME: 'hookline', KAFKA_SASL_PASSWORD: 'hunter2' });
    expect(withoutMechanism).toMatch(
      /KAFKA_SASL_MECHANISM: is none, so KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD would be ignored/,
    );
    expect(withoutMechanism).not.toContain('hunter2');
    expect(refusal({ KAFKA_SASL_PASSWORD: 'hunter2' })).toMatch(
      /KAFKA_SASL_MECHANISM: .*KAFKA_SASL_PASSWORD/,
    );

    const withoutCredentials = refusal({ KAFKA_SASL_MECHANISM: 'scram-sha-512' });
    expect(withoutCredentials).toContain('KAFKA_SASL_USERNAME: is required');
    expect(withoutCredentials).toContain('KAFKA_SASL_PASSWORD: is required');
  });

  describe('TLS files', () => {
    let dir: string;
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'hookline-kafka-tls-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reads a CA bundle alone (server authentication), with SCRAM on top', () => {
      const config = read({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: file('ca.crt', CERT),
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'hookline-ingest',
        KAFKA_SASL_PASSWORD: 's3cret',
      });

      expect(config.tls).toEqual({ ca: CERT });
      expect(kafkaConnection(config)).toEqual({
        brokers: ['127.0.0.1:9092'],
        ssl: { ca: [CERT] },
        sasl: { mechanism: 'scram-sha-512', username: 'hookline-ingest', password: 's3cret' },
      });
    });

    it('reads a client certificate and key for mutual TLS', () => {
      const config = read({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: file('ca.crt', CERT),
        KAFKA_SSL_CERT_FILE: file('user.crt', CERT),
        KAFKA_SSL_KEY_FILE: file('user.key', KEY.replace(/PRIVATE KEY/g, 'EC PRIVATE KEY')),
      });

      expect(kafkaConnection(config).ssl).toEqual({
        ca: [CERT],
        cert: CERT,
        key: KEY.replace(/PRIVATE KEY/g, 'EC PRIVATE KEY'),
      });
      expect(kafkaConnection(config).sasl).toBeUndefined();
    });

    it('uses the system trust store when TLS is on without files', () => {
      expect(kafkaConnection(read({ KAFKA_SSL: 'true' })).ssl).toBe(true);
      expect(kafkaConnection(read({})).ssl).toBe(false);
    });

    it('refuses files that TLS being off would ignore, a certificate without its key, and unreadable or non-PEM files', () => {
      expect(refusal({ KAFKA_SSL_CA_FILE: file('ca.crt', CERT) })).toMatch(
        /KAFKA_SSL: must be true when KAFKA_SSL_CA_FILE is set/,
      );
      expect(refusal({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: file('user.crt', CERT) })).toMatch(
        /KAFKA_SSL_KEY_FILE: is required with KAFKA_SSL_CERT_FILE/,
      );
      expect(refusal({ KAFKA_SSL: 'true', KAFKA_SSL_KEY_FILE: file('user.key', KEY) })).toMatch(
        /KAFKA_SSL_CERT_FILE: is required with KAFKA_SSL_KEY_FILE/,
      );

      const missing = join(dir, 'absent.crt');
      expect(refusal({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: missing })).toContain(
        `KAFKA_SSL_CA_FILE: cannot read ${missing}: ENOENT`,
      );
      const notPem = refusal({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CERT_FILE: file('user.crt', CERT),
        KAFKA_SSL_KEY_FILE: file('user.key', 'secret key material'),
      });
      expect(notPem).toMatch(/KAFKA_SSL_KEY_FILE: .*user\.key holds no PEM private key/);
      expect(notPem).not.toContain('secret key material');
    });
  });
});
