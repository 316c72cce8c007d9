import {
  DAY_MS,
  DeliveryClaims,
  deliveryIdFor,
  type FanOutClaim,
  listDayPartitions,
  utcDayStart,
} from '@hookline/persistence';
import { createTestDatabase, type TestDatabase } from '@hookline/testing';
import { Registry } from 'prom-client';
import { RecordRetentionSweep } from '../src/retention/record-retention.sweep';
import { RetentionMetrics } from '../src/retention/retention.metrics';

const TODAY = utcDayStart(Date.now());

function fanOut(tenantId: string, eventId: string, acceptedAt: number): FanOutClaim {
  return {
    event: {
      id: eventId,
      tenantId,
      type: 'user.created',
      apiVersion: 'v1',
      createdAt: new Date(acceptedAt),
      livemode: true,
      payload: { id: eventId },
      requestId: null,
      idempotencyKey: null,
    },
    deliveries: [{ deliveryId: deliveryIdFor(eventId, 'wh_1', acceptedAt), endpointId: 'wh_1' }],
    token: `t/0/${eventId}`,
  };
}

async function metricValues(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Object.fromEntries(
    (metric?.values ?? []).map((v) => [String((v.labels as { table?: string }).table ?? ''), v.value]),
  );
}

describe('record retention sweep (real Postgres)', () => {
  let db: TestDatabase;
  const lines: string[] = [];
  const logger = {
    log: (line: string) => lines.push(line),
    error: (line: string) => lines.push(`error: ${line}`),
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('makes the coming days, drops expired days whole, prunes short-retention tenants and expired keys, and reports', async () => {
    // Records of three days: today (legacy partition of a fresh install), in 20 and in 35 days.
    await db.dataSource.query(
      `INSERT INTO tenants (id, name, retention_days) VALUES ('ten_keep', 'K', NULL), ('ten_brief', 'B', 3)`,
    );
    const claims = new DeliveryClaims(db.dataSource, { owner: 'd', leaseMs: 30_000 });
    for (const [tenant, id, at] of [
      ['ten_keep', 'evt_today', TODAY + 1_000],
      ['ten_keep', 'evt_day20', TODAY + 20 * DAY_MS],
      ['ten_keep', 'evt_day35', TODAY + 35 * DAY_MS],
      ['ten_brief', 'evt_brief20', TODAY + 20 * DAY_MS],
      ['ten_brief', 'evt_brief35', TODAY + 35 * DAY_MS],
    ] as const) {
      await claims.claimFanOut(fanOut(tenant, id, at));
    }
    await claims.close();
    await db.dataSource.query(
      `INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, expires_at)
       VALUES ('ten_keep', 'old', 'evt_today', 'h', now() - interval '1 day'),
              ('ten_keep', 'live', 'evt_today', 'h', now() + interval '1 day')`,
    );

    // Forty days on, with a 30-day retention: today's records expired, days 20 and 35 are kept;
    // the brief tenant keeps 3 days, so its records of both days go.
    const now = TODAY + 40 * DAY_MS + 3_600_000;
    const registry = new Registry();
    const sweep = new RecordRetentionSweep(
      db.dataSource,
      { retentionDays: 30, aheadDays: 7 },
      3_600_000,
      new RetentionMetrics(registry),
      logger,
      () => now,
    );
    const report = await sweep.sweepOnce();

    expect(report.dropped).toEqual(expect.arrayContaining(['events_legacy', 'deliveries_legacy']));
    expect(report.tenantRows).toBe(4); // the brief tenant's two events and their deliveries
    expect(report.idempotencyKeys).toBe(1);
    const events = await db.dataSource.query('SELECT id FROM events ORDER BY id');
    expect(events.map((row: { id: string }) => row.id)).toEqual(['evt_day20', 'evt_day35']);
    expect(await db.dataSource.query('SELECT event_id FROM deliveries ORDER BY event_id')).toEqual([
      { event_id: 'evt_day20' },
      { event_id: 'evt_day35' },
    ]);

    const partitions = await listDayPartitions(db.dataSource);
    const cutoff = utcDayStart(now) - 29 * DAY_MS;
    expect(partitions.filter((p) => p.toDay <= cutoff)).toEqual([]);
    for (const table of ['events', 'deliveries', 'delivery_attempts']) {
      const own = partitions.filter((p) => p.table === table);
      expect(Math.max(...own.map((p) => p.toDay))).toBe(utcDayStart(now) + 8 * DAY_MS);
    }

    expect(await metricValues(registry, 'hookline_retention_expired_partitions')).toEqual({
      delivery_attempts: 0,
      deliveries: 0,
      events: 0,
    });
    expect(await metricValues(registry, 'hookline_retention_days_ahead')).toEqual({
      delivery_attempts: 7,
      deliveries: 7,
      events: 7,
    });
    const bytes = await metricValues(registry, 'hookline_table_bytes');
    expect(bytes.events).toBeGreaterThan(0);
    expect(
      (await metricValues(registry, 'hookline_retention_partitions_dropped_total')).events,
    ).toBeGreaterThan(0);
    expect((await metricValues(registry, 'hookline_retention_last_success_timestamp_seconds'))['']).toBe(
      now / 1000,
    );

    // A second sweep finds everything done.
    const again = await sweep.sweepOnce();
    expect(again).toEqual({ created: [], dropped: [], tenantRows: 0, idempotencyKeys: 0 });
    expect(lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });
});
