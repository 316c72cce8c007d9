import type { EndpointDisableOutcome } from '@hookline/persistence';
import { PeriodicTask } from '../periodic-task';
import type { RetrySchedulerMetrics } from '../retry/retry-scheduler.metrics';
import { findSustainedFailures, type SqlRunner, type SustainedFailureRule } from './sustained-failure.query';

/** Disables one endpoint with a reason; `disableEndpoint` from the persistence library. */
export type DisableEndpoint = (endpointId: string, reason: string) => Promise<EndpointDisableOutcome>;

/** What one sweep did. */
export interface SweepReport {
  /** Endpoints disabled by this sweep. */
  readonly disabled: readonly string[];
  /** Endpoints the rule matched that were already disabled or gone by the time they were reached. */
  readonly unchanged: readonly string[];
}

/** Where the sweep reports. */
export interface SweepLog {
  log(message: string): void;
  error(message: string): void;
}

/**
 * Periodically disables endpoints whose deliveries have all failed for the configured window (see
 * `findSustainedFailures` for the rule). Several schedulers may sweep at once: disabling is
 * conditional on the endpoint still being active, so each endpoint is disabled and announced once.
 */
export class SustainedFailureSweep {
  private readonly schedule: PeriodicTask;

  constructor(
    private readonly sql: SqlRunner,
    private readonly disable: DisableEndpoint,
    private readonly rule: SustainedFailureRule,
    intervalMs: number,
    private readonly metrics: RetrySchedulerMetrics,
    private readonly logger: SweepLog,
    private readonly now: () => number = Date.now,
  ) {
    this.schedule = new PeriodicTask(
      () => this.sweepOnce(),
      intervalMs,
      (error) => this.logger.error(`sustained-failure sweep failed: ${(error as Error).message}`),
    );
  }

  /** Sweeps now and then every interval; sweeps never overlap. */
  start(): void {
    this.schedule.start('now');
  }

  /** Runs one sweep. */
  async sweepOnce(): Promise<SweepReport> {
    const matches = await findSustainedFailures(this.sql, this.rule, this.now());
    const disabled: string[] = [];
    const unchanged: string[] = [];
    const reason = `no delivery succeeded for ${formatWindow(this.rule.windowMs)}`;
    for (const match of matches) {
      const outcome = await this.disable(match.endpointId, reason);
      if (outcome.kind === 'disabled') {
        disabled.push(match.endpointId);
        this.metrics.endpointsDisabled.inc({ reason: 'sustained-failure' });
        this.logger.log(
          `disabled endpoint ${match.endpointId}: ${match.failures} failed attempts in ` +
            `${match.failedSlices}/${this.rule.slices} parts of the window, none succeeded`,
        );
      } else {
        unchanged.push(match.endpointId);
      }
    }
    return { disabled, unchanged };
  }

  /** Stops sweeping once the sweep under way has finished. */
  stop(): Promise<void> {
    return this.schedule.stop();
  }
}

/** `5d`, `36h`, `90m`, `10s` or `1500ms`: the largest unit that divides the window exactly. */
export function formatWindow(ms: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
