import { pruneEndpointStats } from '@hookline/persistence';
import type { DataSource } from 'typeorm';
import { PeriodicTask } from '../periodic-task';

/** Rows deleted per statement: small enough that each statement is short. */
const PRUNE_BATCH_ROWS = 5_000;

/**
 * Keeps the per-endpoint statistics rollup to its retention: every interval it deletes the minutes
 * older than that, in batches, until none is left. Several schedulers may sweep at once; a row one of
 * them deleted is simply not there for the other.
 */
export class EndpointStatsRetentionSweep {
  private readonly schedule: PeriodicTask;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly retentionMs: number,
    intervalMs: number,
    private readonly logger: { log(message: string): void; error(message: string): void },
    private readonly now: () => number = Date.now,
  ) {
    this.schedule = new PeriodicTask(
      () => this.sweepOnce(),
      intervalMs,
      (error) => this.logger.error(`endpoint statistics retention sweep failed: ${(error as Error).message}`),
    );
  }

  /** Sweeps now and then every interval (schedulers restarted more often than that still prune). */
  start(): void {
    this.schedule.start('now');
  }

  /** Deletes every rollup row older than the retention; returns how many. */
  async sweepOnce(): Promise<number> {
    const before = new Date(this.now() - this.retentionMs);
    let total = 0;
    for (;;) {
      const deleted = await pruneEndpointStats(this.dataSource, before, PRUNE_BATCH_ROWS);
      total += deleted;
      if (deleted < PRUNE_BATCH_ROWS || this.stopping) break;
    }
    if (total > 0)
      this.logger.log(`deleted ${total} endpoint statistics rows from before ${before.toISOString()}`);
    return total;
  }

  /** Stops sweeping once the batch under way has finished. */
  stop(): Promise<void> {
    this.stopping = true;
    return this.schedule.stop();
  }
}
