import { type EnvReader, readConfig } from '@hookline/config';
import { readServiceConfig, type ServiceConfig } from '@hookline/observability';
import { type AuthProtectionConfig, readAuthProtectionConfig } from '@hookline/tenancy';

/** Limits and behaviour of event intake, shared by the HTTP and Kafka paths. */
export interface IntakeConfig {
  /** Most events one request (or one Kafka message) may carry. */
  readonly maxBatch: number;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** How long an idempotency key keeps answering with its original events. */
  readonly idempotencyTtlMs: number;
  /** How long a repeated request waits for the first one with its key to finish before giving up. */
  readonly idempotencyWaitMs: number;
  /**
   * How long a claimed key stays with a request that stopped renewing it (its instance died) before
   * a repeat takes it over and publishes the same events again.
   */
  readonly idempotencyLeaseMs: number;
}

/** How ingest reads raw events that domain services write to the ingest topic. */
export interface IngestConsumerConfig {
  /** Whether this instance consumes the ingest topic at all (off for an HTTP-only instance). */
  readonly enabled: boolean;
  /** Consumer group; every instance of one deployment shares it so each message is handled once. */
  readonly groupId: string;
}

/** Everything the ingest service is configured with. */
export interface IngestConfig extends ServiceConfig {
  /** Event intake limits and idempotency. */
  readonly intake: IntakeConfig;
  /** The Kafka adapter. */
  readonly consumer: IngestConsumerConfig;
  /**
   * Where `GET /v1/events` (the event log, served by the subscription API) is forwarded to, for a
   * front door that cannot route by method; undefined: answered 405.
   */
  readonly eventLogUpstream?: string;
  /** API key authentication: its cache, the brake on failures and the `last_used_at` writes. */
  readonly auth: AuthProtectionConfig & {
    /** How long an API key (and a tenant seen on the ingest topic) is trusted without asking Postgres again. */
    readonly cacheTtlMs: number;
  };
}

/** Port the ingest service listens on when `PORT` is unset. */
export const DEFAULT_PORT = 3001;

const KIB = 1024;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * Reads the ingest service's configuration once at boot; one `ConfigError` names every bad key.
 *
 * Shared keys, each documented where it is read (`readServiceConfig`, `readPreset`,
 * `readKafkaConfig`): HOOKLINE_PRESET=hookline and its HOOKLINE_* overrides, PORT=3001,
 * HOST=0.0.0.0, KAFKA_BROKERS=127.0.0.1:9092, KAFKA_CLIENT_ID=hookline-ingest and the other
 * KAFKA_* connection keys, DATABASE_URL=postgres://postgres@127.0.0.1:5432/hookline,
 * DATABASE_POOL_SIZE=10, LOG_LEVEL=info, SHUTDOWN_GRACE_MS=25s.
 *
 * Ingest's own keys: INGEST_MAX_BATCH=500, INGEST_MAX_BODY_BYTES=262144, INGEST_IDEMPOTENCY_TTL=24h,
 * INGEST_IDEMPOTENCY_WAIT=30s, INGEST_IDEMPOTENCY_LEASE=10s, INGEST_CONSUMER_ENABLED=true,
 * INGEST_CONSUMER_GROUP=hookline-ingest, INGEST_EVENT_LOG_UPSTREAM (unset), API_KEY_CACHE_TTL=5s; and the authentication keys of
 * `readAuthProtectionConfig` (AUTH_BRAKE_FAILURES=20, AUTH_BRAKE_WINDOW=1m, AUTH_BRAKE_TRACKED=10000,
 * AUTH_TRUSTED_PROXIES, API_KEY_LAST_USED_INTERVAL=1m).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return readConfig(env, (r) => ({
    ...readServiceConfig(r, { service: 'ingest', defaultPort: DEFAULT_PORT }),
    intake: readIntake(r),
    consumer: {
      // INGEST_CONSUMER_ENABLED: consume the ingest topic; turn off to run an HTTP-only instance.
      enabled: r.bool('INGEST_CONSUMER_ENABLED', true),
      // INGEST_CONSUMER_GROUP: consumer group of the ingest topic; default hookline-ingest.
      groupId: r.string('INGEST_CONSUMER_GROUP', { default: 'hookline-ingest' }),
    },
    // INGEST_EVENT_LOG_UPSTREAM: base URL of the subscription API; when set, `GET /v1/events` reaching
    // ingest is forwarded there (a front door such as an Ingress cannot split that path by method).
    eventLogUpstream:
      r.optionalString('INGEST_EVENT_LOG_UPSTREAM') === undefined
        ? undefined
        : r.url('INGEST_EVENT_LOG_UPSTREAM', { protocols: ['http', 'https'] }),
    auth: {
      ...readAuthProtectionConfig(r),
      // API_KEY_CACHE_TTL: how long a key lookup is reused, which is also how long a revoked key may
      // keep working on one instance; default 5s.
      cacheTtlMs: r.durationMs('API_KEY_CACHE_TTL', 5_000),
    },
  }));
}

function readIntake(r: EnvReader): IntakeConfig {
  const intake: IntakeConfig = {
    // INGEST_MAX_BATCH: most events per request or ingest-topic message; default 500.
    maxBatch: r.int('INGEST_MAX_BATCH', { default: 500, min: 1, max: 10_000 }),
    // INGEST_MAX_BODY_BYTES: largest request body in bytes; default 262144 (256 KiB). Capped below
    // Kafka's default 1 MB message size, since a single event travels as one message.
    maxBodyBytes: r.int('INGEST_MAX_BODY_BYTES', { default: 256 * KIB, min: KIB, max: 900 * KIB }),
    // INGEST_IDEMPOTENCY_TTL: how long an Idempotency-Key replays its original answer; default 24h.
    idempotencyTtlMs: r.durationMs('INGEST_IDEMPOTENCY_TTL', 24 * HOUR_MS),
    // INGEST_IDEMPOTENCY_WAIT: how long a repeat of an in-flight request waits for it before answering
    // 409; default 30s.
    idempotencyWaitMs: r.durationMs('INGEST_IDEMPOTENCY_WAIT', 30_000),
    // INGEST_IDEMPOTENCY_LEASE: how long a key claimed by an instance that then died stays blocked
    // before a repeat takes it over; a live instance renews it while it publishes. Default 10s.
    idempotencyLeaseMs: r.durationMs('INGEST_IDEMPOTENCY_LEASE', 10_000),
  };
  if (intake.idempotencyTtlMs < MINUTE_MS) {
    r.problem('INGEST_IDEMPOTENCY_TTL', `must be at least 1m, got ${intake.idempotencyTtlMs} ms`);
  }
  if (intake.idempotencyWaitMs < 100) {
    r.problem('INGEST_IDEMPOTENCY_WAIT', `must be at least 100ms, got ${intake.idempotencyWaitMs} ms`);
  }
  // Renewed every third of the lease: shorter, and a busy database could let it lapse under a live owner.
  if (intake.idempotencyLeaseMs < 1_000) {
    r.problem('INGEST_IDEMPOTENCY_LEASE', `must be at least 1s, got ${intake.idempotencyLeaseMs} ms`);
  }
  return intake;
}
