import { readConfig } from '@hookline/config';
import { readServiceConfig, type ServiceConfig } from '@hookline/observability';

/** Everything the retry-scheduler service is configured with. */
export type RetrySchedulerConfig = ServiceConfig;

/** Port the retry-scheduler service listens on when `PORT` is unset. */
export const DEFAULT_PORT = 3004;

/**
 * Reads the retry-scheduler service's configuration once at boot; one `ConfigError` names every bad key.
 *
 * Keys and defaults, each documented where it is read (`readServiceConfig`, `readPreset`,
 * `readKafkaConfig`): HOOKLINE_PRESET=hookline and its HOOKLINE_* overrides, PORT=3004,
 * HOST=0.0.0.0, KAFKA_BROKERS=127.0.0.1:9092, KAFKA_CLIENT_ID=hookline-retry-scheduler and the other
 * KAFKA_* connection keys, DATABASE_URL=postgres://postgres@127.0.0.1:5432/hookline,
 * DATABASE_POOL_SIZE=10, LOG_LEVEL=info, SHUTDOWN_GRACE_MS=25s.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RetrySchedulerConfig {
  return readConfig(env, (r) =>
    readServiceConfig(r, { service: 'retry-scheduler', defaultPort: DEFAULT_PORT }),
  );
}
