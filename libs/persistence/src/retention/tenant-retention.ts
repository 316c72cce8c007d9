import type { Queryable } from './day-partitions';
import { DAY_MS, deliveryIdBound, isoDay } from './record-day';

/** A tenant keeping its records for fewer days than the platform does. */
export interface ShorterRetention {
  readonly tenantId: string;
  readonly retentionDays: number;
  /** Its records of days before this one are already deleted; undefined when none were yet. */
  readonly prunedBefore: number | undefined;
}

/** The tenants whose `retention_days` is below the platform's `retentionDays`. */
export async function tenantsWithShorterRetention(
  db: Queryable,
  retentionDays: number,
): Promise<ShorterRetention[]> {
  const rows: Array<{ id: string; retention_days: number; pruned_before: string | null }> = await db.query(
    `SELECT id, retention_days, retention_pruned_before::text AS pruned_before FROM tenants
     WHERE retention_days IS NOT NULL AND retention_days < $1 ORDER BY id`,
    [retentionDays],
  );
  return rows.map((row) => ({
    tenantId: row.id,
    retentionDays: row.retention_days,
    prunedBefore: row.pruned_before === null ? undefined : Date.parse(`${row.pruned_before}T00:00:00Z`),
  }));
}

/**
 * Deletes one tenant's events, deliveries and attempts of the days in [`fromDay`, `toDay`) (from the
 * oldest when `fromDay` is undefined), one day per statement, and records that days before `toDay`
 * are done. Each statement reads only the partitions of its days. Returns the rows deleted.
 */
export async function deleteTenantRecordsBefore(
  db: Queryable,
  tenant: ShorterRetention,
  toDay: number,
): Promise<number> {
  const ranges: Array<[number | undefined, number]> = [];
  if (tenant.prunedBefore === undefined) ranges.push([undefined, toDay]);
  else for (let day = tenant.prunedBefore; day < toDay; day += DAY_MS) ranges.push([day, day + DAY_MS]);
  let deleted = 0;
  for (const [from, to] of ranges) {
    const low = from === undefined ? '' : deliveryIdBound(from);
    const high = deliveryIdBound(to);
    for (const [table, column] of [
      ['delivery_attempts', 'delivery_id'],
      ['deliveries', 'id'],
    ] as const) {
      const [, count]: [unknown, number] = await db.query(
        `DELETE FROM ${table} WHERE tenant_id = $1 AND ${column} >= $2 AND ${column} < $3`,
        [tenant.tenantId, low, high],
      );
      deleted += count;
    }
    const [, events]: [unknown, number] = await db.query(
      `DELETE FROM events WHERE tenant_id = $1 AND day >= $2::date AND day < $3::date`,
      [tenant.tenantId, from === undefined ? '-infinity' : isoDay(from), isoDay(to)],
    );
    deleted += events;
  }
  await db.query(
    `UPDATE tenants SET retention_pruned_before = $2::date
     WHERE id = $1 AND (retention_pruned_before IS NULL OR retention_pruned_before < $2::date)`,
    [tenant.tenantId, isoDay(toDay)],
  );
  return deleted;
}
