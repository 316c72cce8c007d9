import { ConfigError, readConfig } from '@hookline/config';
import { readKafkaConfig } from './read-kafka-config';

const read = (env: NodeJS.ProcessEnv) => readConfig(env, (r) => readKafkaConfig(r, { clientId: 'svc' }));

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
});
