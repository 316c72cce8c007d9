import { isMissingPartition } from '../database-errors';
import { DAY_MS, deliveryIdBound, deliveryIdDay, isoDay, utcDayStart } from './record-day';

/** Runs one SQL statement: a DataSource, an EntityManager or a migration's QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A table partitioned by day, and how a day is written as its partition bound. */
export interface DayPartitionedTable {
  readonly table: 'events' | 'deliveries' | 'delivery_attempts';
  /** The partition key value at which the day starting at `dayStartMs` begins. */
  readonly bound: (dayStartMs: number) => string;
  /** The day start a bound value stands for; undefined when it is not one of ours. */
  readonly dayOf: (bound: string) => number | undefined;
}

const byDate: Pick<DayPartitionedTable, 'bound' | 'dayOf'> = {
  bound: (day) => isoDay(day),
  dayOf: (bound) => (/^\d{4}-\d{2}-\d{2}$/.test(bound) ? Date.parse(`${bound}T00:00:00Z`) : undefined),
};
const byDeliveryId: Pick<DayPartitionedTable, 'bound' | 'dayOf'> = {
  bound: deliveryIdBound,
  dayOf: deliveryIdDay,
};

/**
 * The day-partitioned tables, in the order expired days are dropped: attempts before their
 * deliveries, deliveries before their events. `events` is partitioned by its `day` column,
 * `deliveries` by id and `delivery_attempts` by delivery id (both ids start with a time of the day).
 */
export const DAY_PARTITIONED_TABLES: readonly DayPartitionedTable[] = [
  { table: 'delivery_attempts', ...byDeliveryId },
  { table: 'deliveries', ...byDeliveryId },
  { table: 'events', ...byDate },
];

/** One partition of a day-partitioned table. */
export interface DayPartition {
  readonly table: DayPartitionedTable['table'];
  readonly name: string;
  /** First day it holds, or undefined for a partition open below (the rows from before partitioning). */
  readonly fromDay: number | undefined;
  /** First day it no longer holds. */
  readonly toDay: number;
  readonly bytes: number;
  /** Interrupted while being detached: finishing the detach comes first. */
  readonly detaching: boolean;
}

/** Lists every partition of the day-partitioned tables, oldest first per table. */
export async function listDayPartitions(db: Queryable): Promise<DayPartition[]> {
  const rows: Array<{ parent: string; name: string; bound: string; bytes: string; detaching: boolean }> =
    await db.query(
      `SELECT p.relname AS parent, c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
         pg_total_relation_size(c.oid) AS bytes, i.inhdetachpending AS detaching
       FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
       WHERE n.nspname = current_schema() AND p.relname = ANY($1) AND c.relkind IN ('r', 'p')`,
      [DAY_PARTITIONED_TABLES.map((t) => t.table)],
    );
  const partitions: DayPartition[] = [];
  for (const row of rows) {
    const spec = DAY_PARTITIONED_TABLES.find((t) => t.table === row.parent)!;
    const match = /FROM \((MINVALUE|'([^']*)')\) TO \('([^']*)'\)/.exec(row.bound);
    const toDay = match ? spec.dayOf(match[3]) : undefined;
    if (!match || toDay === undefined) continue; // not a partition this module made or knows
    partitions.push({
      table: spec.table,
      name: row.name,
      fromDay: match[1] === 'MINVALUE' ? undefined : spec.dayOf(match[2]),
      toDay,
      bytes: Number(row.bytes),
      detaching: row.detaching,
    });
  }
  return partitions.sort((a, b) => a.table.localeCompare(b.table) || a.toDay - b.toDay);
}

/** Name of the partition of `table` holding the day starting at `dayStartMs`: `events_p20261208`. */
export function partitionName(table: string, dayStartMs: number): string {
  return `${table}_p${isoDay(dayStartMs).replaceAll('-', '')}`;
}

/**
 * Makes sure every table has a partition for each day holding one of `times`; returns the names it
 * created. Runs in a transaction of its own: an advisory lock orders processes doing the same, and a
 * day already covered (by a daily partition or by the rows from before partitioning) is left alone.
 */
export function createDayPartitions(dataSource: Transactional, times: Iterable<number>): Promise<string[]> {
  return dataSource.transaction((manager) => ensureDayPartitions(manager, times));
}

/** A DataSource or anything else that runs a function in a transaction. */
export interface Transactional {
  transaction<T>(run: (manager: Queryable) => Promise<T>): Promise<T>;
}

/** `createDayPartitions` inside a transaction the caller holds. */
export async function ensureDayPartitions(tx: Queryable, times: Iterable<number>): Promise<string[]> {
  const days = [...new Set([...times].map(utcDayStart))].sort((a, b) => a - b);
  if (days.length === 0) return [];
  // A busy table is not worth waiting on for long: the write that needed the day is tried again.
  await tx.query(`SET LOCAL lock_timeout = '10s'`);
  await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
  const existing = await listDayPartitions(tx);
  const created: string[] = [];
  for (const spec of DAY_PARTITIONED_TABLES) {
    const covering = existing.filter((p) => p.table === spec.table);
    for (const day of days) {
      if (covering.some((p) => (p.fromDay === undefined || p.fromDay <= day) && day < p.toDay)) continue;
      const name = partitionName(spec.table, day);
      await tx.query(
        `CREATE TABLE ${name} PARTITION OF ${spec.table}
         FOR VALUES FROM ('${spec.bound(day)}') TO ('${spec.bound(day + DAY_MS)}')`,
      );
      created.push(name);
    }
  }
  return created;
}

/** Opens a connection of its own: what a session-level lock and `DETACH … CONCURRENTLY` need. */
export interface Connectable {
  createQueryRunner(): Queryable & { connect(): Promise<unknown>; release(): Promise<void> };
}

/**
 * Detaches and drops every partition holding only days before `cutoffDayMs`; returns their names.
 * Detaching concurrently lets writers and readers of the other days go on; a detach interrupted
 * earlier is finished first. One process drops at a time (an advisory lock, not waited for: a
 * process finding it taken leaves the work to the holder and returns nothing).
 */
export async function dropDayPartitionsBefore(db: Connectable, cutoffDayMs: number): Promise<string[]> {
  const session = db.createQueryRunner();
  await session.connect();
  try {
    const [{ locked }]: Array<{ locked: boolean }> = await session.query(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [DROP_LOCK],
    );
    if (!locked) return [];
    try {
      const expired = (await listDayPartitions(session)).filter((p) => p.toDay <= cutoffDayMs);
      const dropped: string[] = [];
      for (const spec of DAY_PARTITIONED_TABLES) {
        for (const partition of expired.filter((p) => p.table === spec.table)) {
          await session.query(
            `ALTER TABLE ${spec.table} DETACH PARTITION ${partition.name} ${partition.detaching ? 'FINALIZE' : 'CONCURRENTLY'}`,
          );
          await session.query(`DROP TABLE ${partition.name}`);
          dropped.push(partition.name);
        }
      }
      return dropped;
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [DROP_LOCK]);
    }
  } finally {
    await session.release();
  }
}

/**
 * Runs a write that may name a day without a partition yet (a message read long after it was
 * accepted, or partitions not made ahead because the scheduler was down): on "no partition for
 * the row" the days of `times` get their partitions and the write runs once more.
 */
export async function withDayPartitions<T>(
  dataSource: Transactional,
  times: () => Iterable<number>,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isMissingPartition(error)) throw error;
    await createDayPartitions(dataSource, times());
    return write();
  }
}

// Arbitrary constants naming the locks that serialise making and dropping partitions.
const PARTITION_LOCK = 7_340_112_208;
const DROP_LOCK = 7_340_112_209;
