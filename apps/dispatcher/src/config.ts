import { readConfig } from '@hookline/config';
import { readServiceConfig, type ServiceConfig } from '@hookline/observability';

/** Everything the dispatcher service is configured with. */
export type DispatcherConfig = ServiceConfig;

/** Port the dispatcher service listens on when `PORT` is unset. */
export const DEFAULT_PORT = 3003;

/**
 * Reads the dispatcher service's configuration once at boot; one `ConfigError` names every bad key.
 *
 * Keys and defaults, each documented where it is read (`readServiceConfig`, `readPreset`,
 * `readKafkaConfig`): HOOKLINE_PRESET=hookline and its HOOKLINE_* overrides, PORT=3003,
 * HOST=0.0.0.0, KAFKA_BROKERS=127.0.0.1:9092, KAFKA_CLIENT_ID=hookline-dispatcher and the other
 * KAFKA_* connection keys, DATABASE_URL=postgres://postgres@127.0.0.1:5432/hookline,
 * DATABASE_POOL_SIZE=10, LOG_LEVEL=info, SHUTDOWN_GRACE_MS=25s.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DispatcherConfig {
  return readConfig(env, (r) => readServiceConfig(r, { service: 'dispatcher', defaultPort: DEFAULT_PORT }));
}
