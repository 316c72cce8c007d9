import { readConfig } from '@hookline/config';
import { readServiceConfig, type ServiceConfig } from '@hookline/observability';

/** Settings only the subscription service has. */
export interface SubscriptionSettings {
  /** Bearer token of the operator API (`/v1/admin`); the operator API is off when absent. */
  readonly adminToken: string | undefined;
  /** How long a rotated-out signing secret keeps signing next to the new one. */
  readonly secretRotationWindowMs: number;
  /** Whether endpoint URLs may use plain `http` (local development only). */
  readonly allowHttpUrls: boolean;
  /** Whether every endpoint is published to the changelog again at boot, rebuilding a lost changelog. */
  readonly republishOnBoot: boolean;
  /** How long an API key lookup is cached; bounds how long a key revoked on another instance still works. */
  readonly apiKeyCacheTtlMs: number;
  /** How long a request waits for Kafka to confirm a write before it fails with 503. */
  readonly publishTimeoutMs: number;
}

/** Where the gRPC admin API listens. */
export interface GrpcSettings {
  /** Interface the gRPC server binds. */
  readonly host: string;
  /** TCP port of the gRPC server; 0 picks a free one, which the running service reports. */
  readonly port: number;
}

/** Everything the subscription service is configured with. */
export interface SubscriptionConfig extends ServiceConfig {
  /** The subscription service's own settings. */
  readonly subscription: SubscriptionSettings;
  /** The gRPC admin API's listener. */
  readonly grpc: GrpcSettings;
}

/** Port the subscription service listens on when `PORT` is unset. */
export const DEFAULT_PORT = 3002;

/** Port of the gRPC admin API when `SUBSCRIPTION_GRPC_PORT` is unset and `PORT` is not 0. */
export const DEFAULT_GRPC_PORT = 50051;

// Shorter tokens are guessable by anyone who can reach the operator API.
const MIN_ADMIN_TOKEN_LENGTH = 24;

/**
 * Reads the subscription service's configuration once at boot; one `ConfigError` names every bad key.
 *
 * Keys and defaults, each documented where it is read (`readServiceConfig`, `readPreset`,
 * `readKafkaConfig`): HOOKLINE_PRESET=hookline and its HOOKLINE_* overrides, PORT=3002,
 * HOST=0.0.0.0, KAFKA_BROKERS=127.0.0.1:9092, KAFKA_CLIENT_ID=hookline-subscription and the other
 * KAFKA_* connection keys, DATABASE_URL=postgres://postgres@127.0.0.1:5432/hookline,
 * DATABASE_POOL_SIZE=10, LOG_LEVEL=info, SHUTDOWN_GRACE_MS=25s; and the SUBSCRIPTION_* keys below
 * (among them SUBSCRIPTION_GRPC_HOST and SUBSCRIPTION_GRPC_PORT, the gRPC admin API's listener).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SubscriptionConfig {
  return readConfig(env, (r) => {
    const service = readServiceConfig(r, { service: 'subscription', defaultPort: DEFAULT_PORT });
    // SUBSCRIPTION_ADMIN_TOKEN: bearer token of the operator API (tenants, API keys); unset = API off.
    const adminToken = r.optionalString('SUBSCRIPTION_ADMIN_TOKEN');
    if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
      // The value is a credential: say what is wrong, never echo it.
      r.problem('SUBSCRIPTION_ADMIN_TOKEN', `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters long`);
    }
    const subscription: SubscriptionSettings = {
      adminToken,
      // SUBSCRIPTION_SECRET_ROTATION_WINDOW: old secret stays valid this long after a rotation; default 24h.
      secretRotationWindowMs: r.durationMs('SUBSCRIPTION_SECRET_ROTATION_WINDOW', 24 * 3_600_000),
      // SUBSCRIPTION_ALLOW_HTTP_URLS: accept http:// endpoint URLs (development only); default false.
      allowHttpUrls: r.bool('SUBSCRIPTION_ALLOW_HTTP_URLS', false),
      // SUBSCRIPTION_REPUBLISH_ON_BOOT: publish every endpoint to the changelog at boot; default true.
      republishOnBoot: r.bool('SUBSCRIPTION_REPUBLISH_ON_BOOT', true),
      // SUBSCRIPTION_API_KEY_CACHE_TTL: how long an API key lookup is cached; default 30s.
      apiKeyCacheTtlMs: r.durationMs('SUBSCRIPTION_API_KEY_CACHE_TTL', 30_000),
      // SUBSCRIPTION_PUBLISH_TIMEOUT: longest wait for Kafka to confirm a write before answering 503; default 10s.
      publishTimeoutMs: r.durationMs('SUBSCRIPTION_PUBLISH_TIMEOUT', 10_000),
    };
    if (subscription.publishTimeoutMs < 100) {
      r.problem(
        'SUBSCRIPTION_PUBLISH_TIMEOUT',
        `must be at least 100ms, got ${subscription.publishTimeoutMs} ms`,
      );
    }
    const grpc: GrpcSettings = {
      // SUBSCRIPTION_GRPC_HOST: interface of the gRPC admin API; default: the value of HOST.
      host: r.string('SUBSCRIPTION_GRPC_HOST', { default: service.http.host }),
      // SUBSCRIPTION_GRPC_PORT: port of the gRPC admin API, 0 = a free port; default 50051, but 0 when
      // PORT is 0, so instances started on free HTTP ports (tests) do not compete for 50051.
      port: r.int('SUBSCRIPTION_GRPC_PORT', {
        default: service.http.port === 0 ? 0 : DEFAULT_GRPC_PORT,
        min: 0,
        max: 65_535,
      }),
    };
    if (grpc.port !== 0 && grpc.port === service.http.port) {
      r.problem('SUBSCRIPTION_GRPC_PORT', `must differ from PORT (${service.http.port})`);
    }
    return { ...service, subscription, grpc };
  });
}
