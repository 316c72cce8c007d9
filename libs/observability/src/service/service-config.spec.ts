import { ConfigError, readConfig } from '@hookline/config';
import { readServiceConfig } from './service-config';

const read = (env: NodeJS.ProcessEnv) =>
  readConfig(env, (r) => readServiceConfig(r, { service: 'dispatcher', defaultPort: 3003 }));

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    read(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('readServiceConfig', () => {
  it('applies documented defaults when nothing is set', () => {
    const config = read({});
    expect(config).toMatchObject({
      service: 'dispatcher',
      http: { host: '0.0.0.0', port: 3003 },
      kafka: { brokers: ['127.0.0.1:9092'], clientId: 'hookline-dispatcher' },
      database: {
        url: 'postgres://postgres@127.0.0.1:5432/hookline',
        poolSize: 10,
        applicationName: 'hookline-dispatcher',
        schemaWaitMs: 45_000,
      },
      logLevel: 'info',
      shutdownGraceMs: 25_000,
    });
    expect(config.preset.name).toBe('hookline');
  });

  it('reads every key', () => {
    const config = read({
      HOOKLINE_PRESET: 'appmint',
      HOST: '127.0.0.1',
      PORT: '0',
      KAFKA_BROKERS: 'k1:9092, k2:9093',
      KAFKA_CLIENT_ID: 'dispatch-eu',
      DATABASE_URL: 'postgresql://svc:pw@db:5432/hookline',
      DATABASE_POOL_SIZE: '25',
      DATABASE_SCHEMA_WAIT: '2m',
      LOG_LEVEL: 'debug',
      SHUTDOWN_GRACE_MS: '10s',
    });
    expect(config).toMatchObject({
      http: { host: '127.0.0.1', port: 0 },
      kafka: { brokers: ['k1:9092', 'k2:9093'], clientId: 'dispatch-eu' },
      database: { url: 'postgresql://svc:pw@db:5432/hookline', poolSize: 25, schemaWaitMs: 120_000 },
      logLevel: 'debug',
      shutdownGraceMs: 10_000,
    });
    expect(config.preset.brand.headerPrefix).toBe('X-Appmint');
  });

  it('names every bad key in one error', () => {
    const problems = problemsOf({
      HOOKLINE_PRESET: 'stripe',
      PORT: '70000',
      KAFKA_BROKERS: 'localhost',
      DATABASE_URL: 'mysql://db/hookline',
      DATABASE_POOL_SIZE: 'many',
      LOG_LEVEL: 'verbose',
      SHUTDOWN_GRACE_MS: '25',
    });
    const keys = problems.map((problem) => problem.split(':')[0]);
    expect(keys.sort()).toEqual(
      [
        'DATABASE_POOL_SIZE',
        'DATABASE_URL',
        'HOOKLINE_PRESET',
        'KAFKA_BROKERS',
        'LOG_LEVEL',
        'PORT',
        'SHUTDOWN_GRACE_MS',
      ].sort(),
    );
  });

  it('never echoes a database password in its error', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://svc:hunter2@db/hookline' });
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});
