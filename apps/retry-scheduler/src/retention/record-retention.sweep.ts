import {
  createDayPartitions,
  DAY_MS,
  DAY_PARTITIONED_TABLES,
  deleteTenantRecordsBefore,
  dropDayPartitionsBefore,
  IdempotencyRepository,
  listDayPartitions,
  tenantsWithShorterRetention,
  utcDayStart,
} from '@hookline/persistence';
import type { DataSource } from 'typeorm';
import { PeriodicTask } from '../periodic-task';
import type { RetentionMetrics } from './retention.metrics';

/** How long records are kept and how far ahead their partitions are made. */
export interface RetentionSettings {
  /** Days of events, deliveries and attempts kept (whole UTC days, the current one included). */
  readonly retentionDays: number;
  /** Days ahead of today that always have their partitions. */
  readonly aheadDays: number;
}

/** What one sweep did. */
export interface RetentionReport {
  readonly created: readonly string[];
  readonly dropped: readonly string[];
  /** Rows deleted under tenants' shorter retention. */
  readonly tenantRows: number;
  readonly idempotencyKeys: number;
}

/** Expired idempotency keys deleted per statement. */
const KEY_BATCH = 10_000;

/**
 * Keeps events, deliveries and attempts to their retention. Every interval it makes the partitions
 * of the coming days, drops those holding only expired days (whole tables, no DELETE), deletes the
 * records of tenants keeping theirs for fewer days (each day once), prunes expired idempotency keys,
 * and reports table sizes and how far retention is behind or ahead. Several schedulers may sweep at
 * once: partition changes take a lock in turn, and what one already did the other finds done.
 */
export class RecordRetentionSweep {
  private readonly schedule: PeriodicTask;
  private readonly keys: IdempotencyRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: RetentionSettings,
    intervalMs: number,
    private readonly metrics: RetentionMetrics,
    private readonly logger: { log(message: string): void; error(message: string): void },
    private readonly now: () => number = Date.now,
  ) {
    this.keys = new IdempotencyRepository(dataSource);
    this.schedule = new PeriodicTask(
      () => this.sweepOnce(),
      intervalMs,
      (error) => this.logger.error(`record retention sweep failed: ${(error as Error).message}`),
    );
  }

  /** Sweeps now and then every interval. */
  start(): void {
    this.schedule.start('now');
  }

  async sweepOnce(): Promise<RetentionReport> {
    const today = utcDayStart(this.now());
    const cutoff = today - (this.settings.retentionDays - 1) * DAY_MS;
    try {
      const ahead = Array.from({ length: this.settings.aheadDays + 1 }, (_, i) => today + i * DAY_MS);
      const created = await createDayPartitions(this.dataSource, ahead);
      const dropped = await dropDayPartitionsBefore(this.dataSource, cutoff);
      for (const name of dropped) this.metrics.partitionsDropped.inc({ table: tableOf(name) });

      let tenantRows = 0;
      for (const tenant of await tenantsWithShorterRetention(this.dataSource, this.settings.retentionDays)) {
        const before = today - (tenant.retentionDays - 1) * DAY_MS;
        if (tenant.prunedBefore !== undefined && tenant.prunedBefore >= before) continue;
        tenantRows += await deleteTenantRecordsBefore(this.dataSource, tenant, before);
      }

      let idempotencyKeys = 0;
      for (;;) {
        const deleted = await this.keys.pruneExpired(KEY_BATCH);
        idempotencyKeys += deleted;
        if (deleted < KEY_BATCH) break;
      }

      if (created.length + dropped.length > 0 || tenantRows > 0) {
        this.logger.log(
          `retention: made ${created.length} partitions, dropped ${dropped.length}` +
            `${dropped.length > 0 ? ` (${dropped.join(', ')})` : ''}, deleted ${tenantRows} rows of tenants ` +
            `with a shorter retention and ${idempotencyKeys} expired idempotency keys`,
        );
      }
      this.metrics.lastSuccess.set(this.now() / 1000);
      return { created, dropped, tenantRows, idempotencyKeys };
    } finally {
      await this.observe(today, cutoff).catch((error: unknown) =>
        this.logger.error(`measuring tables failed: ${(error as Error).message}`),
      );
    }
  }

  /** Stops sweeping once the sweep under way has finished. */
  stop(): Promise<void> {
    return this.schedule.stop();
  }

  private async observe(today: number, cutoff: number): Promise<void> {
    const partitions = await listDayPartitions(this.dataSource);
    for (const { table } of DAY_PARTITIONED_TABLES) {
      const own = partitions.filter((p) => p.table === table);
      this.metrics.tableBytes.set(
        { table },
        own.reduce((sum, p) => sum + p.bytes, 0),
      );
      this.metrics.partitions.set({ table }, own.length);
      this.metrics.expiredPartitions.set({ table }, own.filter((p) => p.toDay <= cutoff).length);
      const last = Math.max(today, ...own.map((p) => p.toDay));
      this.metrics.daysAhead.set({ table }, Math.max(0, (last - today) / DAY_MS - 1));
    }
  }
}

function tableOf(partition: string): string {
  return DAY_PARTITIONED_TABLES.find((t) => partition.startsWith(`${t.table}_`))?.table ?? 'other';
}
