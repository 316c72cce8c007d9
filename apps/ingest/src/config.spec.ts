import { ConfigError } from '@hookline/config';
import { loadConfig } from './config';

function problemKeys(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.split(':')[0]).sort();
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('ingest config', () => {
  it('defaults to port 3001, client id hookline-ingest and the documented intake limits', () => {
    const config = loadConfig({});
    expect(config.service).toBe('ingest');
    expect(config.http.port).toBe(3001);
    expect(config.kafka.clientId).toBe('hookline-ingest');
    expect(config.intake).toEqual({
      maxBatch: 500,
      maxBodyBytes: 262_144,
      idempotencyTtlMs: 24 * 3_600_000,
      idempotencyWaitMs: 30_000,
      idempotencyLeaseMs: 10_000,
    });
    expect(config.consumer).toEqual({ enabled: true, groupId: 'hookline-ingest' });
    expect(config.auth).toEqual({
      cacheTtlMs: 5_000,
      brake: { maxFailures: 20, windowMs: 60_000, maxTracked: 10_000 },
      trustedProxies: [],
      lastUsedIntervalMs: 60_000,
    });
  });

  it('reads its own keys', () => {
    const config = loadConfig({
      INGEST_MAX_BATCH: '100',
      INGEST_MAX_BODY_BYTES: '65536',
      INGEST_IDEMPOTENCY_TTL: '2h',
      INGEST_IDEMPOTENCY_WAIT: '5s',
      INGEST_IDEMPOTENCY_LEASE: '20s',
      INGEST_CONSUMER_ENABLED: 'false',
      INGEST_CONSUMER_GROUP: 'ingest-eu',
      API_KEY_CACHE_TTL: '30s',
      AUTH_BRAKE_FAILURES: '5',
      AUTH_BRAKE_WINDOW: '10m',
      AUTH_BRAKE_TRACKED: '500',
      AUTH_TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8,192.168.1.7',
      API_KEY_LAST_USED_INTERVAL: '30s',
    });
    expect(config.intake).toEqual({
      maxBatch: 100,
      maxBodyBytes: 65_536,
      idempotencyTtlMs: 2 * 3_600_000,
      idempotencyWaitMs: 5_000,
      idempotencyLeaseMs: 20_000,
    });
    expect(config.consumer).toEqual({ enabled: false, groupId: 'ingest-eu' });
    expect(config.auth).toEqual({
      cacheTtlMs: 30_000,
      brake: { maxFailures: 5, windowMs: 600_000, maxTracked: 500 },
      trustedProxies: ['10.0.0.0/8', 'fd00::/8', '192.168.1.7'],
      lastUsedIntervalMs: 30_000,
    });
  });

  it('names every bad key in one error', () => {
    const env = {
      PORT: 'http',
      LOG_LEVEL: 'loud',
      HOOKLINE_PRESET: 'nope',
      DATABASE_URL: 'not a url',
      INGEST_MAX_BATCH: '0',
      INGEST_MAX_BODY_BYTES: '10mb',
      INGEST_IDEMPOTENCY_TTL: '5s',
      INGEST_IDEMPOTENCY_WAIT: 'forever',
      INGEST_IDEMPOTENCY_LEASE: '200ms',
      INGEST_CONSUMER_ENABLED: 'sometimes',
      API_KEY_CACHE_TTL: 'soon',
      AUTH_BRAKE_FAILURES: '-1',
      AUTH_BRAKE_WINDOW: '10ms',
      AUTH_BRAKE_TRACKED: 'many',
      AUTH_TRUSTED_PROXIES: '10.0.0.0/33,proxy.internal',
      API_KEY_LAST_USED_INTERVAL: '100ms',
    };
    expect(problemKeys(env)).toEqual(Object.keys(env).sort());
  });
});
