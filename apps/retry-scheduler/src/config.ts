import { readConfig } from '@hookline/config';
import { readServiceConfig, type ServiceConfig } from '@hookline/observability';

/** The sustained-failure rule that disables endpoints nobody has been able to deliver to for days. */
export interface AutoDisableSettings {
  /** Whether the sweep runs at all. */
  readonly enabled: boolean;
  /** How long every delivery to an endpoint must have failed before it is disabled. */
  readonly windowMs: number;
  /** How often active endpoints are checked against the rule. */
  readonly sweepIntervalMs: number;
  /** Equal parts the window is cut into to tell a sustained failure from a burst. */
  readonly slices: number;
  /** Parts of the window that must hold failures (the first and the last always must). */
  readonly minFailedSlices: number;
}

/** Everything the retry-scheduler service is configured with. */
export interface RetrySchedulerConfig extends ServiceConfig {
  /** Consumer group shared by all retry schedulers of one deployment. */
  readonly groupId: string;
  /** Where a new consumer group starts reading the tier topics. */
  readonly initialOffset: 'earliest' | 'latest';
  /** Tier partitions handled at once. */
  readonly partitionsConcurrently: number;
  /** How long the group waits for a silent scheduler before its tiers go to another one. */
  readonly sessionTimeoutMs: number;
  /** How often the tier backlog (`hookline_consumer_lag`) is measured. */
  readonly backlogIntervalMs: number;
  readonly autoDisable: AutoDisableSettings;
  /** The sweep that queues again deliveries whose task was lost between the database and Kafka. */
  readonly stalled: {
    readonly graceMs: number;
    readonly sweepIntervalMs: number;
    readonly batchSize: number;
  };
  /** The sweep that deletes per-endpoint statistics older than their retention. */
  /** Retention of events, deliveries and attempts (day partitions). */
  readonly retention: {
    readonly retentionDays: number;
    readonly aheadDays: number;
    readonly sweepIntervalMs: number;
  };
  readonly endpointStats: {
    readonly retentionMs: number;
    readonly sweepIntervalMs: number;
  };
}

/** Port the retry-scheduler service listens on when `PORT` is unset. */
export const DEFAULT_PORT = 3004;

/**
 * Reads the retry-scheduler service's configuration once at boot; one `ConfigError` names every bad key.
 * Shared keys are documented in `readServiceConfig` (the retry schedule comes from the preset:
 * HOOKLINE_PRESET and HOOKLINE_RETRY_SCHEDULE); the scheduler's own are below.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RetrySchedulerConfig {
  return readConfig(env, (r) => {
    const base = readServiceConfig(r, { service: 'retry-scheduler', defaultPort: DEFAULT_PORT });
    // RETRY_DISABLE_SLICES: parts the window is cut into for the spread rule; default 5 (days of the default window).
    const slices = r.int('RETRY_DISABLE_SLICES', { default: 5, min: 2, max: 1000 });
    // RETRY_DISABLE_MIN_FAILED_SLICES: parts that must hold failures, first and last included; default 3.
    const minFailedSlices = r.int('RETRY_DISABLE_MIN_FAILED_SLICES', { default: 3, min: 2, max: 1000 });
    if (minFailedSlices > slices) {
      r.problem('RETRY_DISABLE_MIN_FAILED_SLICES', `must not exceed RETRY_DISABLE_SLICES (${slices})`);
    }
    // RETRY_DISABLE_AFTER: how long every delivery to an endpoint must fail before it is disabled; default 5d.
    const windowMs = r.durationMs('RETRY_DISABLE_AFTER', 5 * 86_400_000);
    if (windowMs < slices) r.problem('RETRY_DISABLE_AFTER', 'is shorter than one millisecond per slice');
    // RETRY_DISABLE_SWEEP_INTERVAL: how often endpoints are checked against the rule; default 10m.
    const sweepIntervalMs = r.durationMs('RETRY_DISABLE_SWEEP_INTERVAL', 10 * 60_000);
    if (sweepIntervalMs < 100) r.problem('RETRY_DISABLE_SWEEP_INTERVAL', 'must be at least 100ms');
    // RETRY_SCHEDULER_BACKLOG_INTERVAL: how often the tasks waiting per tier are measured; default 15s.
    const backlogIntervalMs = r.durationMs('RETRY_SCHEDULER_BACKLOG_INTERVAL', 15_000);
    if (backlogIntervalMs < 100) r.problem('RETRY_SCHEDULER_BACKLOG_INTERVAL', 'must be at least 100ms');
    // RETRY_SCHEDULER_SESSION_TIMEOUT: how long a scheduler that stopped heartbeating (crashed) keeps
    // its tiers before they go to another; default 30s, at least the brokers' usual minimum of 6s.
    const sessionTimeoutMs = r.durationMs('RETRY_SCHEDULER_SESSION_TIMEOUT', 30_000);
    if (sessionTimeoutMs < 6_000) r.problem('RETRY_SCHEDULER_SESSION_TIMEOUT', 'must be at least 6s');
    // RETRY_STALLED_AFTER: how long past its due time an unclaimed waiting delivery is queued again; default 5m.
    const stalledGraceMs = r.durationMs('RETRY_STALLED_AFTER', 5 * 60_000);
    if (stalledGraceMs < 1_000) r.problem('RETRY_STALLED_AFTER', 'must be at least 1s');
    // RETRY_STALLED_SWEEP_INTERVAL: how often stalled deliveries are looked for; default 1m.
    const stalledIntervalMs = r.durationMs('RETRY_STALLED_SWEEP_INTERVAL', 60_000);
    if (stalledIntervalMs < 100) r.problem('RETRY_STALLED_SWEEP_INTERVAL', 'must be at least 100ms');
    // RETRY_STATS_RETENTION: how long per-endpoint statistics are kept; default 8d, at least the
    // longest window the statistics API answers for (7d).
    const statsRetentionMs = r.durationMs('RETRY_STATS_RETENTION', 8 * 86_400_000);
    if (statsRetentionMs < 7 * 86_400_000) r.problem('RETRY_STATS_RETENTION', 'must be at least 7d');
    // RETRY_STATS_SWEEP_INTERVAL: how often statistics older than the retention are deleted; default 1h.
    const statsIntervalMs = r.durationMs('RETRY_STATS_SWEEP_INTERVAL', 3_600_000);
    if (statsIntervalMs < 100) r.problem('RETRY_STATS_SWEEP_INTERVAL', 'must be at least 100ms');
    // HOOKLINE_RETENTION_DAYS: days of events, deliveries and attempts kept (today included); default 30.
    // Whole days are dropped, so a record lives between this many days and one more.
    const retentionDays = r.int('HOOKLINE_RETENTION_DAYS', { default: 30, min: 2, max: 3650 });
    // RETRY_PARTITIONS_AHEAD_DAYS: days after today whose partitions always exist; default 7.
    const aheadDays = r.int('RETRY_PARTITIONS_AHEAD_DAYS', { default: 7, min: 1, max: 90 });
    // RETRY_RETENTION_SWEEP_INTERVAL: how often partitions are made and dropped; default 1h.
    const retentionIntervalMs = r.durationMs('RETRY_RETENTION_SWEEP_INTERVAL', 3_600_000);
    if (retentionIntervalMs < 100) r.problem('RETRY_RETENTION_SWEEP_INTERVAL', 'must be at least 100ms');
    if (retentionIntervalMs > 6 * 3_600_000)
      r.problem('RETRY_RETENTION_SWEEP_INTERVAL', 'must be at most 6h');
    return {
      ...base,
      retention: { retentionDays, aheadDays, sweepIntervalMs: retentionIntervalMs },
      stalled: {
        graceMs: stalledGraceMs,
        sweepIntervalMs: stalledIntervalMs,
        // RETRY_STALLED_BATCH: deliveries queued again per sweep at most; default 1000.
        batchSize: r.int('RETRY_STALLED_BATCH', { default: 1000, min: 1, max: 100_000 }),
      },
      endpointStats: { retentionMs: statsRetentionMs, sweepIntervalMs: statsIntervalMs },
      // RETRY_SCHEDULER_GROUP_ID: Kafka consumer group of the retry schedulers; default hookline-retry-scheduler.
      groupId: r.string('RETRY_SCHEDULER_GROUP_ID', { default: 'hookline-retry-scheduler' }),
      // RETRY_SCHEDULER_INITIAL_OFFSET: where a new group starts, earliest (every parked task) or latest; default earliest.
      initialOffset: r.oneOf('RETRY_SCHEDULER_INITIAL_OFFSET', ['earliest', 'latest'] as const, 'earliest'),
      // RETRY_SCHEDULER_PARTITIONS_CONCURRENTLY: tier partitions handled at once; default 16.
      partitionsConcurrently: r.int('RETRY_SCHEDULER_PARTITIONS_CONCURRENTLY', {
        default: 16,
        min: 1,
        max: 1024,
      }),
      sessionTimeoutMs,
      backlogIntervalMs,
      autoDisable: {
        // RETRY_AUTO_DISABLE: run the sustained-failure sweep; default true.
        enabled: r.bool('RETRY_AUTO_DISABLE', true),
        windowMs,
        sweepIntervalMs,
        slices,
        minFailedSlices,
      },
    };
  });
}
