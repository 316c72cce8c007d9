import { Counter, Gauge, type Registry } from 'prom-client';
import { DAY_PARTITIONED_TABLES } from '@hookline/persistence';

/** Sizes of the day-partitioned tables and the state of their retention, by table. */
export class RetentionMetrics {
  /** Bytes on disk (with indexes and TOAST) of each day-partitioned table, all partitions together. */
  readonly tableBytes: Gauge<'table'>;
  /** Partitions of each table. */
  readonly partitions: Gauge<'table'>;
  /** Partitions holding only expired days still there after a sweep: retention is behind. */
  readonly expiredPartitions: Gauge<'table'>;
  /** Whole days after today that have their partitions already. */
  readonly daysAhead: Gauge<'table'>;
  /** Partitions dropped for retention. */
  readonly partitionsDropped: Counter<'table'>;
  /** When a retention sweep last finished without error (Unix seconds). */
  readonly lastSuccess: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.tableBytes = new Gauge({
      name: 'hookline_table_bytes',
      help: 'Bytes on disk of each day-partitioned table (all partitions, indexes and TOAST).',
      labelNames: ['table'],
      registers,
    });
    this.partitions = new Gauge({
      name: 'hookline_table_partitions',
      help: 'Partitions of each day-partitioned table.',
      labelNames: ['table'],
      registers,
    });
    this.expiredPartitions = new Gauge({
      name: 'hookline_retention_expired_partitions',
      help: 'Partitions holding only days past the retention, still present after the last sweep.',
      labelNames: ['table'],
      registers,
    });
    this.daysAhead = new Gauge({
      name: 'hookline_retention_days_ahead',
      help: 'Whole days after today that already have their partitions.',
      labelNames: ['table'],
      registers,
    });
    this.partitionsDropped = new Counter({
      name: 'hookline_retention_partitions_dropped_total',
      help: 'Partitions of expired days dropped.',
      labelNames: ['table'],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'hookline_retention_last_success_timestamp_seconds',
      help: 'When a retention sweep last finished without error (Unix time).',
      registers,
    });
    for (const { table } of DAY_PARTITIONED_TABLES) this.partitionsDropped.inc({ table }, 0);
  }
}
