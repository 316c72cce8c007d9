import type { MigrationInterface, QueryRunner } from 'typeorm';
import { buildIndexConcurrently } from './concurrent-index';
import { DAY_MS, deliveryIdBound, deliveryIdDay, isoDay, utcDayStart } from '../retention/record-day';
import { ensureDayPartitions } from '../retention/day-partitions';

/** Days ahead of the migration for which empty partitions are made at once. */
const DAYS_AHEAD = 7;

/** The indexes of `events` besides its key, on the plain table and on the partitioned one alike. */
const EVENT_INDEXES = [
  `CREATE INDEX idx_events_tenant_created ON events (tenant_id, created_at, id)`,
  `CREATE INDEX idx_events_tenant_type_created ON events (tenant_id, type, created_at)`,
];

/** The indexes of `deliveries` besides its key. */
const DELIVERY_INDEXES = [
  `CREATE INDEX idx_deliveries_endpoint_created ON deliveries (endpoint_id, created_at)`,
  `CREATE INDEX idx_deliveries_tenant_status_created ON deliveries (tenant_id, status, created_at)`,
  `CREATE INDEX idx_deliveries_event ON deliveries (event_id)`,
  // A tenant's whole delivery log, newest first (`GET /v1/deliveries`).
  `CREATE INDEX idx_deliveries_tenant_created ON deliveries (tenant_id, created_at)`,
  `CREATE INDEX idx_deliveries_undelivered_created ON deliveries (created_at)
   WHERE status IN ('pending', 'awaiting_retry')`,
  `CREATE INDEX idx_deliveries_waiting_due ON deliveries (next_attempt_at)
   WHERE status IN ('pending', 'awaiting_retry')`,
];

/**
 * Partitions `events`, `deliveries` and `delivery_attempts` by day, so that retention drops whole
 * days instead of deleting rows, and adds what erasing an event's payload needs.
 *
 * The existing tables are not copied: each becomes the first partition of its new parent (named
 * `…_legacy`), holding every day up to the end of the migration's day, and is dropped whole when
 * that day expires. Before the swap, while the tables stay in use, each gets what a partition
 * needs, built without blocking writes where PostgreSQL allows it:
 *
 * - `events` gets its `day` column (all existing rows on the migration's day, a constant default,
 *   so no rewrite) and a primary key including it, built concurrently.
 * - `deliveries.id` and `delivery_attempts.delivery_id` sort in the "C" collation, as their ranges
 *   need; changing it rebuilds the indexes on those columns, under lock (writes waited 3.3 s at
 *   most with three million attempts, `npm run test:migration-scale`). `delivery_attempts` is keyed by (delivery_id, id) and (delivery_id, send_id),
 *   built concurrently; its identity becomes a sequence (partitioned tables cannot have one before
 *   PostgreSQL 17), and the foreign key to `deliveries` goes (an expired day drops both tables'
 *   partitions together).
 * - A validated CHECK bounds each table to its legacy range, so attaching it reads nothing.
 *
 * The swap itself (rename, create the partitioned parents, attach, make the next days' partitions)
 * is one short transaction. Services of the previous release write with conflict targets that no
 * longer exist: their writes fail and are tried again (nothing is lost) until they are replaced,
 * so deploy this release by stopping the dispatchers, migrating, then starting the new ones.
 */
export class DayPartitions1765200000000 implements MigrationInterface {
  name = 'DayPartitions1765200000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    const today = utcDayStart(Date.now());
    const eventsBound = await this.eventsBound(queryRunner, today + DAY_MS);
    const deliveriesBound = await this.deliveriesBound(queryRunner, today + DAY_MS);

    // A tenant may keep its records for fewer days than the platform's retention.
    // (and how far its shorter retention has been applied, so each day is pruned once).
    await queryRunner.query(
      `ALTER TABLE tenants ADD COLUMN IF NOT EXISTS retention_days integer
         CONSTRAINT ck_tenants_retention_days CHECK (retention_days >= 1),
         ADD COLUMN IF NOT EXISTS retention_pruned_before date`,
    );

    // events: the day column, then the primary key including it.
    await queryRunner.query(
      `ALTER TABLE events ADD COLUMN IF NOT EXISTS day date NOT NULL DEFAULT '${isoDay(today)}'`,
    );
    await queryRunner.query(`ALTER TABLE events ALTER COLUMN payload DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE events ADD COLUMN IF NOT EXISTS expunged_at timestamptz`);
    await buildIndexConcurrently(
      queryRunner,
      'pk_events_by_day',
      'CREATE UNIQUE INDEX',
      'events (tenant_id, id, day)',
    );
    await queryRunner.query(
      `ALTER TABLE events DROP CONSTRAINT pk_events, ADD CONSTRAINT pk_events PRIMARY KEY USING INDEX pk_events_by_day`,
    );
    await addBoundCheck(queryRunner, 'events', 'day', `'${isoDay(eventsBound)}'`);

    // deliveries: the tenant log's index, then ids in byte order.
    await buildIndexConcurrently(
      queryRunner,
      'idx_deliveries_tenant_created',
      'CREATE INDEX',
      'deliveries (tenant_id, created_at)',
    );
    await queryRunner.query(
      `ALTER TABLE delivery_attempts DROP CONSTRAINT IF EXISTS fk_delivery_attempts_delivery`,
    );
    await queryRunner.query(`ALTER TABLE deliveries ALTER COLUMN id TYPE text COLLATE "C"`);
    await addBoundCheck(queryRunner, 'deliveries', 'id', `'${deliveryIdBound(deliveriesBound)}'`);

    // delivery_attempts: delivery ids in byte order, keys including them, a sequence for ids.
    await queryRunner.query(`ALTER TABLE delivery_attempts ALTER COLUMN delivery_id TYPE text COLLATE "C"`);
    const [{ next }]: Array<{ next: string }> = await queryRunner.query(
      `SELECT COALESCE(max(id), 0) + 1 AS next FROM delivery_attempts`,
    );
    await queryRunner.query(`ALTER TABLE delivery_attempts ALTER COLUMN id DROP IDENTITY IF EXISTS`);
    await queryRunner.query(`CREATE SEQUENCE IF NOT EXISTS delivery_attempts_id_seq START WITH ${next}`);
    await queryRunner.query(
      `ALTER TABLE delivery_attempts ALTER COLUMN id SET DEFAULT nextval('delivery_attempts_id_seq')`,
    );
    await buildIndexConcurrently(
      queryRunner,
      'pk_delivery_attempts_by_delivery',
      'CREATE UNIQUE INDEX',
      'delivery_attempts (delivery_id, id)',
    );
    await queryRunner.query(
      `ALTER TABLE delivery_attempts DROP CONSTRAINT pk_delivery_attempts,
         ADD CONSTRAINT pk_delivery_attempts PRIMARY KEY USING INDEX pk_delivery_attempts_by_delivery`,
    );
    await buildIndexConcurrently(
      queryRunner,
      'uq_delivery_attempts_delivery_send',
      'CREATE UNIQUE INDEX',
      'delivery_attempts (delivery_id, send_id)',
    );
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS uq_delivery_attempts_send`);
    await addBoundCheck(
      queryRunner,
      'delivery_attempts',
      'delivery_id',
      `'${deliveryIdBound(deliveriesBound)}'`,
    );

    await queryRunner.startTransaction();
    try {
      for (const table of ['events', 'deliveries', 'delivery_attempts']) {
        await renameToLegacy(queryRunner, table);
      }
      await queryRunner.query(`
        CREATE TABLE events (LIKE events_legacy INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
        PARTITION BY RANGE (day)`);
      await queryRunner.query(`ALTER TABLE events DROP CONSTRAINT ck_events_legacy_bound`);
      await queryRunner.query(
        `ALTER TABLE events ALTER COLUMN day SET DEFAULT ((now() AT TIME ZONE 'UTC')::date)`,
      );
      await queryRunner.query(`ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (tenant_id, id, day)`);
      for (const index of EVENT_INDEXES) await queryRunner.query(index);
      await queryRunner.query(
        `ALTER TABLE events ATTACH PARTITION events_legacy FOR VALUES FROM (MINVALUE) TO ('${isoDay(eventsBound)}')`,
      );

      await queryRunner.query(`
        CREATE TABLE deliveries (LIKE deliveries_legacy INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
        PARTITION BY RANGE (id)`);
      await queryRunner.query(`ALTER TABLE deliveries DROP CONSTRAINT ck_deliveries_legacy_bound`);
      await queryRunner.query(`ALTER TABLE deliveries ADD CONSTRAINT pk_deliveries PRIMARY KEY (id)`);
      for (const index of DELIVERY_INDEXES) await queryRunner.query(index);
      await queryRunner.query(
        `ALTER TABLE deliveries ATTACH PARTITION deliveries_legacy
         FOR VALUES FROM (MINVALUE) TO ('${deliveryIdBound(deliveriesBound)}')`,
      );

      await queryRunner.query(`
        CREATE TABLE delivery_attempts (LIKE delivery_attempts_legacy INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
        PARTITION BY RANGE (delivery_id)`);
      await queryRunner.query(
        `ALTER TABLE delivery_attempts DROP CONSTRAINT ck_delivery_attempts_legacy_bound`,
      );
      await queryRunner.query(`ALTER SEQUENCE delivery_attempts_id_seq OWNED BY delivery_attempts.id`);
      await queryRunner.query(
        `ALTER TABLE delivery_attempts ADD CONSTRAINT pk_delivery_attempts PRIMARY KEY (delivery_id, id)`,
      );
      await queryRunner.query(
        `CREATE UNIQUE INDEX uq_delivery_attempts_delivery_send ON delivery_attempts (delivery_id, send_id)`,
      );
      await queryRunner.query(
        `CREATE INDEX idx_delivery_attempts_delivery_attempt ON delivery_attempts (delivery_id, attempt_number)`,
      );
      await queryRunner.query(
        `ALTER TABLE delivery_attempts ATTACH PARTITION delivery_attempts_legacy
         FOR VALUES FROM (MINVALUE) TO ('${deliveryIdBound(deliveriesBound)}')`,
      );

      const ahead = Array.from({ length: DAYS_AHEAD }, (_, i) => today + (i + 1) * DAY_MS);
      await ensureDayPartitions(queryRunner, ahead);
      await queryRunner.commitTransaction();
    } catch (error) {
      await queryRunner.rollbackTransaction();
      throw error;
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Each table goes back to one plain table holding every partition's rows.
    await queryRunner.startTransaction();
    try {
      for (const table of ['delivery_attempts', 'deliveries', 'events']) {
        await queryRunner.query(`ALTER TABLE ${table} RENAME TO ${table}_partitioned`);
        await queryRunner.query(`CREATE TABLE ${table} (LIKE ${table}_partitioned INCLUDING DEFAULTS)`);
        await queryRunner.query(`INSERT INTO ${table} SELECT * FROM ${table}_partitioned`);
        await queryRunner.query(`DROP TABLE ${table}_partitioned CASCADE`);
      }
      await queryRunner.commitTransaction();
    } catch (error) {
      await queryRunner.rollbackTransaction();
      throw error;
    }
    await queryRunner.query(
      `ALTER TABLE tenants DROP COLUMN IF EXISTS retention_days, DROP COLUMN IF EXISTS retention_pruned_before`,
    );
    await queryRunner.query(`ALTER TABLE events DROP COLUMN day, DROP COLUMN expunged_at`);
    await queryRunner.query(`DELETE FROM events WHERE payload IS NULL`);
    await queryRunner.query(`ALTER TABLE events ALTER COLUMN payload SET NOT NULL`);
    await queryRunner.query(`DELETE FROM events a USING events b
      WHERE a.tenant_id = b.tenant_id AND a.id = b.id AND a.created_at > b.created_at`);
    await queryRunner.query(`ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (tenant_id, id)`);
    for (const index of EVENT_INDEXES) await queryRunner.query(index);
    await queryRunner.query(`ALTER TABLE deliveries ALTER COLUMN id TYPE text COLLATE "default"`);
    await queryRunner.query(`ALTER TABLE deliveries ADD CONSTRAINT pk_deliveries PRIMARY KEY (id)`);
    await queryRunner.query(`ALTER TABLE deliveries ADD CONSTRAINT ck_deliveries_status
      CHECK (status IN ('pending', 'succeeded', 'awaiting_retry', 'failed', 'skipped'))`);
    await queryRunner.query(
      `ALTER TABLE deliveries ADD CONSTRAINT ck_deliveries_attempt_count CHECK (attempt_count >= 0)`,
    );
    for (const index of DELIVERY_INDEXES) await queryRunner.query(index);
    await queryRunner.query(
      `ALTER TABLE delivery_attempts ALTER COLUMN delivery_id TYPE text COLLATE "default"`,
    );
    await queryRunner.query(`CREATE SEQUENCE IF NOT EXISTS delivery_attempts_id_seq`);
    await queryRunner.query(
      `SELECT setval('delivery_attempts_id_seq', COALESCE(max(id), 0) + 1, false) FROM delivery_attempts`,
    );
    await queryRunner.query(
      `ALTER TABLE delivery_attempts ALTER COLUMN id SET DEFAULT nextval('delivery_attempts_id_seq')`,
    );
    await queryRunner.query(`ALTER SEQUENCE delivery_attempts_id_seq OWNED BY delivery_attempts.id`);
    await queryRunner.query(
      `ALTER TABLE delivery_attempts ADD CONSTRAINT pk_delivery_attempts PRIMARY KEY (id)`,
    );
    await queryRunner.query(`ALTER TABLE delivery_attempts ADD CONSTRAINT ck_delivery_attempts_attempt_number
      CHECK (attempt_number >= 1)`);
    await queryRunner.query(`ALTER TABLE delivery_attempts ADD CONSTRAINT ck_delivery_attempts_body_excerpt
      CHECK (octet_length(response_body_excerpt) <= 16384)`);
    await queryRunner.query(`CREATE UNIQUE INDEX uq_delivery_attempts_send ON delivery_attempts (send_id)`);
    await queryRunner.query(
      `CREATE INDEX idx_delivery_attempts_delivery_attempt ON delivery_attempts (delivery_id, attempt_number)`,
    );
    await queryRunner.query(`DELETE FROM delivery_attempts a WHERE NOT EXISTS
      (SELECT 1 FROM deliveries d WHERE d.id = a.delivery_id)`);
    await queryRunner.query(`ALTER TABLE delivery_attempts ADD CONSTRAINT fk_delivery_attempts_delivery
      FOREIGN KEY (delivery_id) REFERENCES deliveries (id) ON DELETE CASCADE`);
  }

  /** First day the legacy events partition does not hold: after today, and after any row's day. */
  private async eventsBound(queryRunner: QueryRunner, tomorrow: number): Promise<number> {
    const hasDay: unknown[] = await queryRunner.query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'day'
         AND table_schema = current_schema()`,
    );
    if (hasDay.length === 0) return tomorrow;
    const [{ last }]: Array<{ last: string | null }> = await queryRunner.query(
      `SELECT max(day)::text AS last FROM events`,
    );
    return last ? Math.max(tomorrow, Date.parse(`${last}T00:00:00Z`) + DAY_MS) : tomorrow;
  }

  /**
   * First day the legacy deliveries partition does not hold: after today, and after the day of any
   * delivery id (a producer may have chosen an event id that reads as a future time).
   */
  private async deliveriesBound(queryRunner: QueryRunner, tomorrow: number): Promise<number> {
    const [{ last }]: Array<{ last: string | null }> = await queryRunner.query(
      `SELECT max(id COLLATE "C") AS last FROM deliveries`,
    );
    const day = last === null ? undefined : deliveryIdDay(last);
    if (last !== null && day === undefined) {
      throw new Error(`delivery id ${last} does not start with a time; partitioning cannot bound it`);
    }
    return Math.max(tomorrow, day === undefined ? 0 : day + DAY_MS);
  }
}

/** A CHECK bounding `column` below `bound`, validated without blocking writes. */
async function addBoundCheck(
  queryRunner: QueryRunner,
  table: string,
  column: string,
  bound: string,
): Promise<void> {
  const name = `ck_${table}_legacy_bound`;
  await queryRunner.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name}`);
  await queryRunner.query(
    `ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${column} < ${bound}) NOT VALID`,
  );
  await queryRunner.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`);
}

/** Renames a table and its indexes to `…_legacy`, freeing their names for the partitioned parent. */
async function renameToLegacy(queryRunner: QueryRunner, table: string): Promise<void> {
  const indexes: Array<{ indexname: string }> = await queryRunner.query(
    `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`,
    [table],
  );
  await queryRunner.query(`ALTER TABLE ${table} RENAME TO ${table}_legacy`);
  for (const { indexname } of indexes) {
    await queryRunner.query(`ALTER INDEX ${indexname} RENAME TO ${indexname}_legacy`);
  }
}
