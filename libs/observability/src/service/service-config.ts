import type { EnvReader } from '@hookline/config';
import { type KafkaConfig, readKafkaConfig } from '@hookline/kafka';
import type { PersistenceConfig } from '@hookline/persistence';
import { type Preset, readPreset } from '@hookline/presets';

/** The four Hookline services. */
export type ServiceName = 'ingest' | 'subscription' | 'dispatcher' | 'retry-scheduler';

/** Log levels an operator can choose; each includes the ones above it. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
/** An operator-facing log level. */
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Configuration every service shares: HTTP listener, Kafka, Postgres, logging, shutdown and preset. */
export interface ServiceConfig {
  /** Which service this process runs. */
  readonly service: ServiceName;
  /** The public webhook contract (headers, signatures, retry schedule). */
  readonly preset: Preset;
  /** Where health, readiness, metrics and the service's own API listen. */
  readonly http: { readonly host: string; readonly port: number };
  /** How to reach the Kafka cluster (brokers, client id, TLS, SASL, timeouts). */
  readonly kafka: KafkaConfig;
  /** How to reach Postgres; ready to hand to `createDataSource`. */
  readonly database: PersistenceConfig & {
    readonly url: string;
    readonly poolSize: number;
    /** How long a start waits for missing migrations before refusing; `DEFAULT_SCHEMA_WAIT_MS` if unset. */
    readonly schemaWaitMs?: number;
  };
  /** Lowest level written to the log. */
  readonly logLevel: LogLevelName;
  /** Time allowed for a graceful shutdown after SIGTERM/SIGINT before the process exits anyway. */
  readonly shutdownGraceMs: number;
}

/** How long a start waits for missing database migrations unless `DATABASE_SCHEMA_WAIT` says otherwise. */
export const DEFAULT_SCHEMA_WAIT_MS = 45_000;

/** Per-service defaults that differ between services. */
export interface ServiceDefaults {
  /** Which service is reading its configuration. */
  readonly service: ServiceName;
  /** Default `PORT`: ingest 3001, subscription 3002, dispatcher 3003, retry-scheduler 3004. */
  readonly defaultPort: number;
}

/**
 * Reads the keys every service shares; a service's `config.ts` calls it inside `readConfig` and adds
 * its own keys, so a bad value in any of them is reported together with all the others.
 */
export function readServiceConfig(r: EnvReader, defaults: ServiceDefaults): ServiceConfig {
  return {
    service: defaults.service,
    // HOOKLINE_PRESET (hookline | appmint | hackmamba, default hookline) and its HOOKLINE_* overrides.
    preset: readPreset(r),
    http: {
      // HOST: interface to listen on; default 0.0.0.0 (all interfaces, as containers need).
      host: r.string('HOST', { default: '0.0.0.0' }),
      // PORT: TCP port to listen on; default per service; 0 picks a free port.
      port: r.int('PORT', { default: defaults.defaultPort, min: 0, max: 65_535 }),
    },
    // KAFKA_BROKERS (comma-separated host:port, default 127.0.0.1:9092), KAFKA_CLIENT_ID (default
    // hookline-<service>) and the other KAFKA_* connection keys documented in readKafkaConfig.
    kafka: readKafkaConfig(r, { clientId: `hookline-${defaults.service}` }),
    database: {
      // DATABASE_URL: postgres:// URL of the Hookline database; default is a local development database.
      url: r.url('DATABASE_URL', {
        default: 'postgres://postgres@127.0.0.1:5432/hookline',
        protocols: ['postgres', 'postgresql'],
      }),
      // DATABASE_POOL_SIZE: most connections this process holds open to Postgres; default 10.
      poolSize: r.int('DATABASE_POOL_SIZE', { default: 10, min: 1, max: 200 }),
      // Shown in pg_stat_activity, so a connection can be traced to its service.
      applicationName: `hookline-${defaults.service}`,
      // DATABASE_SCHEMA_WAIT: how long a start waits for the migrations this build needs (the
      // release's migration job may still be running) before refusing to start; default 45s, short
      // of the 60 s the Kubernetes startup probe allows.
      schemaWaitMs: r.durationMs('DATABASE_SCHEMA_WAIT', DEFAULT_SCHEMA_WAIT_MS),
    },
    // LOG_LEVEL: error | warn | info | debug; default info.
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    // SHUTDOWN_GRACE_MS: time to finish in-flight work after SIGTERM (e.g. 25s, 5000); default 25s.
    shutdownGraceMs: readGrace(r),
  };
}

function readGrace(r: EnvReader): number {
  const graceMs = r.durationMs('SHUTDOWN_GRACE_MS', 25_000);
  // Below one second nothing in flight can finish; it is almost certainly seconds typed as milliseconds.
  if (graceMs < 1_000) r.problem('SHUTDOWN_GRACE_MS', `must be at least 1s, got ${graceMs} ms`);
  return graceMs;
}
