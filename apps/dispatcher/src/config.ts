import { readFileSync } from 'node:fs';
import { readConfig } from '@hookline/config';
import { isAddressRange } from '@hookline/egress';
import { readServiceConfig, type ServiceConfig } from '@hookline/observability';
import { readSecretKeys, type SecretKeyring } from '@hookline/sealing';
import type { BreakerSettings } from './dispatch/endpoint-gates';

/** How the dispatcher delivers. */
export interface DeliverySettings {
  /** Whether `http://` endpoint URLs are delivered to (otherwise only `https://`). */
  readonly allowHttp: boolean;
  /** Address ranges the dispatcher may reach although they are private, loopback, etc. */
  readonly allowedCidrs: readonly string[];
  /** Keep-alive connections per endpoint origin. */
  readonly connectionsPerOrigin: number;
  /** How long idle keep-alive connections are kept. */
  readonly keepAliveMs: number;
  /** How much of each response body is kept in the delivery log. */
  readonly responseExcerptBytes: number;
  /** Requests in flight to one endpoint at most. */
  readonly maxInFlightPerEndpoint: number;
  /** Requests waiting for one endpoint at most; beyond that they are deferred to the retry path. */
  readonly maxQueuedPerEndpoint: number;
  /** Longest expected wait for an endpoint's slot; a request expected to wait longer is deferred. */
  readonly maxQueueWaitMs: number;
  /** How far processing may run ahead of a partition's commit point, in messages. */
  readonly maxUncommittedPerPartition: number;
  /** Upper bound on an endpoint's `Retry-After`. */
  readonly maxRetryAfterMs: number;
  /** The per-endpoint circuit breaker. */
  readonly breaker: BreakerSettings;
  /** Attempt and event rows written per batch at most. */
  readonly recordBatchRows: number;
  /** Longest wait before a partial batch of rows is written. */
  readonly recordFlushMs: number;
  /** How often consumed offsets are committed. */
  readonly commitIntervalMs: number;
}

/** Everything the dispatcher service is configured with. */
export interface DispatcherConfig extends ServiceConfig {
  /** Consumer group shared by all dispatchers of one deployment. */
  readonly groupId: string;
  /** Where a new consumer group starts reading the event topics. */
  readonly initialOffset: 'earliest' | 'latest';
  readonly delivery: DeliverySettings;
  /** Keys opening the endpoints' sealed signing secrets and header values (HOOKLINE_SECRET_KEYS). */
  readonly secretKeys: SecretKeyring;
}

/** Port the dispatcher service listens on when `PORT` is unset. */
export const DEFAULT_PORT = 3003;

/**
 * Reads the dispatcher service's configuration once at boot; one `ConfigError` names every bad key.
 * Shared keys are documented in `readServiceConfig`, the sealing keys (HOOKLINE_SECRET_KEYS or
 * HOOKLINE_SECRET_KEYS_FILE) in `readSecretKeys`; the dispatcher's own are below.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DispatcherConfig {
  return readConfig(env, (r) => {
    const base = readServiceConfig(r, { service: 'dispatcher', defaultPort: DEFAULT_PORT });
    const allowedCidrs = r.list('DISPATCHER_ALLOWED_CIDRS', []);
    for (const cidr of allowedCidrs) {
      if (!isAddressRange(cidr))
        r.problem('DISPATCHER_ALLOWED_CIDRS', `"${cidr}" is not an address or CIDR range`);
    }
    return {
      ...base,
      secretKeys: readSecretKeys(r, (path) => readFileSync(path, 'utf8')),
      // DISPATCHER_GROUP_ID: Kafka consumer group of the dispatchers; default hookline-dispatcher.
      groupId: r.string('DISPATCHER_GROUP_ID', { default: 'hookline-dispatcher' }),
      // DISPATCHER_INITIAL_OFFSET: where a new group starts, earliest (deliver what the topics hold) or latest; default earliest.
      initialOffset: r.oneOf('DISPATCHER_INITIAL_OFFSET', ['earliest', 'latest'] as const, 'earliest'),
      delivery: {
        // DISPATCHER_ALLOW_HTTP: deliver to http:// URLs too; default false (https only).
        allowHttp: r.bool('DISPATCHER_ALLOW_HTTP', false),
        // DISPATCHER_ALLOWED_CIDRS: comma-separated addresses or CIDR ranges exempt from the internal-address refusal (an IPv4 range also covers the IPv6 forms embedding it); default none.
        allowedCidrs,
        // DISPATCHER_CONNECTIONS_PER_ORIGIN: keep-alive pool size per endpoint origin; default 16.
        connectionsPerOrigin: r.int('DISPATCHER_CONNECTIONS_PER_ORIGIN', { default: 16, min: 1, max: 1024 }),
        // DISPATCHER_KEEP_ALIVE: idle time before a pooled connection is closed; default 30s.
        keepAliveMs: r.durationMs('DISPATCHER_KEEP_ALIVE', 30_000),
        // DISPATCHER_RESPONSE_EXCERPT_BYTES: response body kept per attempt; default 16384.
        responseExcerptBytes: r.int('DISPATCHER_RESPONSE_EXCERPT_BYTES', {
          default: 16_384,
          min: 0,
          max: 16_384,
        }),
        // DISPATCHER_MAX_IN_FLIGHT_PER_ENDPOINT: concurrent requests to one endpoint; default 16.
        maxInFlightPerEndpoint: r.int('DISPATCHER_MAX_IN_FLIGHT_PER_ENDPOINT', {
          default: 16,
          min: 1,
          max: 1024,
        }),
        // DISPATCHER_MAX_QUEUED_PER_ENDPOINT: requests waiting for one endpoint before deferral; default 512.
        maxQueuedPerEndpoint: r.int('DISPATCHER_MAX_QUEUED_PER_ENDPOINT', {
          default: 512,
          min: 0,
          max: 100_000,
        }),
        // DISPATCHER_MAX_QUEUE_WAIT: longest expected wait for an endpoint (queue ahead × its recent answer time ÷ its in-flight limit) before deferral; default 5s.
        maxQueueWaitMs: r.durationMs('DISPATCHER_MAX_QUEUE_WAIT', 5_000),
        // DISPATCHER_MAX_UNCOMMITTED_PER_PARTITION: how far processing may run ahead of a partition's commit point, which bounds what a crash or rebalance reads again (settled work is recognised, not sent again); default 5000, so one slow delivery at the head does not stop its partition for long.
        maxUncommittedPerPartition: r.int('DISPATCHER_MAX_UNCOMMITTED_PER_PARTITION', {
          default: 5000,
          min: 1,
          max: 100_000,
        }),
        // DISPATCHER_MAX_RETRY_AFTER: cap on an endpoint's Retry-After; default 1h.
        maxRetryAfterMs: r.durationMs('DISPATCHER_MAX_RETRY_AFTER', 3_600_000),
        breaker: {
          // DISPATCHER_BREAKER_ERROR_PERCENT: failure percentage that opens an endpoint's breaker; default 50.
          errorThresholdPercentage: r.int('DISPATCHER_BREAKER_ERROR_PERCENT', {
            default: 50,
            min: 1,
            max: 100,
          }),
          // DISPATCHER_BREAKER_MIN_REQUESTS: attempts in the window before the breaker may open; default 10.
          volumeThreshold: r.int('DISPATCHER_BREAKER_MIN_REQUESTS', { default: 10, min: 1, max: 100_000 }),
          // DISPATCHER_BREAKER_RESET: how long an open breaker waits before a probe; default 30s.
          resetTimeoutMs: r.durationMs('DISPATCHER_BREAKER_RESET', 30_000),
          // DISPATCHER_BREAKER_WINDOW: rolling window of breaker statistics; default 60s.
          rollingWindowMs: r.durationMs('DISPATCHER_BREAKER_WINDOW', 60_000),
        },
        // DISPATCHER_RECORD_BATCH_ROWS: attempt/event rows per database batch; default 500.
        recordBatchRows: r.int('DISPATCHER_RECORD_BATCH_ROWS', { default: 500, min: 1, max: 4000 }),
        // DISPATCHER_RECORD_FLUSH: longest wait before a partial batch is written; default 20ms.
        recordFlushMs: r.durationMs('DISPATCHER_RECORD_FLUSH', 20),
        // DISPATCHER_COMMIT_INTERVAL: how often consumed offsets are committed; default 200ms.
        commitIntervalMs: r.durationMs('DISPATCHER_COMMIT_INTERVAL', 200),
      },
    };
  });
}
