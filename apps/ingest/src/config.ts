import { readConfig } from '@hookline/config';
import { readServiceConfig, type ServiceConfig } from '@hookline/observability';

/** Everything the ingest service is configured with. */
export type IngestConfig = ServiceConfig;

/** Port the ingest service listens on when `PORT` is unset. */
export const DEFAULT_PORT = 3001;

/**
 * Reads the ingest service's configuration once at boot; one `ConfigError` names every bad key.
 *
 * Keys and defaults, each documented where it is read (`readServiceConfig`, `readPreset`,
 * `readKafkaConfig`): HOOKLINE_PRESET=hookline and its HOOKLINE_* overrides, PORT=3001,
 * HOST=0.0.0.0, KAFKA_BROKERS=127.0.0.1:9092, KAFKA_CLIENT_ID=hookline-ingest and the other
 * KAFKA_* connection keys, DATABASE_URL=postgres://postgres@127.0.0.1:5432/hookline,
 * DATABASE_POOL_SIZE=10, LOG_LEVEL=info, SHUTDOWN_GRACE_MS=25s.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return readConfig(env, (r) => readServiceConfig(r, { service: 'ingest', defaultPort: DEFAULT_PORT }));
}
