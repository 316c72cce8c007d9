import {
  BatchingAttemptRecorder,
  builtMigrations,
  DAY_MS,
  DeliveryClaims,
  deleteTenantRecordsBefore,
  deliveryIdFor,
  dropDayPartitionsBefore,
  ensureDayPartitions,
  type FanOutClaim,
  listDayPartitions,
  revertLastMigration,
  runMigrations,
  tenantsWithShorterRetention,
  utcDayStart,
} from '../src';
import type { AttemptRecord } from '../src/repositories/attempt-recorder';
import { createEmptyDatabase, type EmptyDatabase } from './support/test-database';

const TODAY = utcDayStart(Date.now());
const MIGRATION = 'DayPartitions1765200000000';

function fanOut(tenantId: string, eventId: string, acceptedAt: number, endpoints: string[]): FanOutClaim {
  return {
    event: {
      id: eventId,
      tenantId,
      type: 'user.created',
      apiVersion: '2024-01-01',
      createdAt: new Date(acceptedAt),
      livemode: true,
      payload: { id: eventId, type: 'user.created', data: { id: 'u1' } },
      requestId: null,
      idempotencyKey: null,
    },
    deliveries: endpoints.map((endpointId) => ({
      deliveryId: deliveryIdFor(eventId, endpointId, acceptedAt),
      endpointId,
    })),
    token: `t/0/${eventId}`,
  };
}

function attemptOf(claim: FanOutClaim, index: number, finishedAt: number): AttemptRecord {
  const { deliveryId, endpointId } = claim.deliveries[index];
  return {
    sendId: `${deliveryId}/1`,
    deliveryId,
    tenantId: claim.event.tenantId,
    endpointId,
    eventId: claim.event.id,
    attemptNumber: 1,
    requestHeaders: { 'content-type': 'application/json' },
    customHeaderNames: [],
    statusCode: 200,
    responseHeaders: {},
    responseBody: 'ok',
    durationMs: 12,
    errorClass: null,
    errorMessage: null,
    startedAt: new Date(finishedAt - 12),
    finishedAt: new Date(finishedAt),
    deliveryStatus: 'succeeded',
    nextAttemptAt: null,
    claimToken: claim.token,
  };
}

async function count(db: EmptyDatabase, sql: string, params: unknown[] = []): Promise<number> {
  const [{ n }]: Array<{ n: number }> = await db.dataSource.query(`SELECT count(*)::int AS n ${sql}`, params);
  return n;
}

describe('day partitions', () => {
  let db: EmptyDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('turn the existing tables into partitions of their own, keeping every row readable and keyed', async () => {
    await runMigrations(db.dataSource);
    // Back to the schema just before it: every later migration, then the migration itself.
    const newer = builtMigrations().slice(builtMigrations().indexOf(MIGRATION) + 1);
    for (const _ of newer) await revertLastMigration(db.dataSource);
    expect(await revertLastMigration(db.dataSource)).toBe(MIGRATION);
    // Rows as the previous release wrote them: a ULID-dated delivery and one of a producer's id.
    const old = TODAY - 3 * DAY_MS;
    await db.dataSource.query(
      `INSERT INTO events (id, tenant_id, type, api_version, created_at, livemode, payload)
       VALUES ('evt_01KAAAAAAAAAAAAAAAAAAAAAAA', 'ten_a', 'user.created', 'v1', $1, true, '{}'),
              ('evt_order_1', 'ten_a', 'user.created', 'v1', $1, true, '{}')`,
      [new Date(old)],
    );
    await db.dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count)
       VALUES ('delivery_01KAAAAAAAXXXXXXXXXXXXXXXX', 'ten_a', 'wh_1', 'evt_01KAAAAAAAAAAAAAAAAAAAAAAA', 'succeeded', 1),
              ('delivery_0000000000YYYYYYYYYYYYYYYY', 'ten_a', 'wh_1', 'evt_order_1', 'failed', 1)`,
    );
    await db.dataSource.query(
      `INSERT INTO delivery_attempts (send_id, delivery_id, tenant_id, endpoint_id, event_id, attempt_number,
         status_code, duration_ms, started_at, finished_at)
       VALUES ('s1', 'delivery_01KAAAAAAAXXXXXXXXXXXXXXXX', 'ten_a', 'wh_1', 'evt_01KAAAAAAAAAAAAAAAAAAAAAAA', 1,
               200, 5, now(), now()),
              ('s2', 'delivery_0000000000YYYYYYYYYYYYYYYY', 'ten_a', 'wh_1', 'evt_order_1', 1, 500, 5, now(), now())`,
    );

    expect(await runMigrations(db.dataSource)).toEqual([MIGRATION, ...newer]);

    const partitions = await listDayPartitions(db.dataSource);
    for (const table of ['events', 'deliveries', 'delivery_attempts'] as const) {
      const own = partitions.filter((p) => p.table === table);
      // The old table holds everything up to the end of today; the next seven days have their own.
      expect(own[0]).toMatchObject({ name: `${table}_legacy`, fromDay: undefined, toDay: TODAY + DAY_MS });
      expect(own.slice(1).map((p) => p.fromDay)).toEqual(
        Array.from({ length: 7 }, (_, i) => TODAY + (i + 1) * DAY_MS),
      );
    }
    expect(await count(db, 'FROM events')).toBe(2);
    expect(await count(db, 'FROM deliveries')).toBe(2);
    expect(
      await count(db, 'FROM delivery_attempts WHERE delivery_id = $1', [
        'delivery_0000000000YYYYYYYYYYYYYYYY',
      ]),
    ).toBe(1);
    // Keys still hold across the old rows: storing the same event or send again changes nothing.
    const claims = new DeliveryClaims(db.dataSource, { owner: 'dispatcher-a', leaseMs: 30_000 });
    const again = fanOut('ten_a', 'evt_order_1', TODAY + 1_000, ['wh_1']);
    await claims.claimFanOut(again);
    await claims.claimFanOut(again);
    await claims.close();
    // Rows from before count as accepted on the migration's day: the same id published again that
    // day is the same event.
    expect(await count(db, `FROM events_legacy WHERE id = 'evt_order_1'`)).toBe(1);
  });

  it('record every row of an event on the day it was accepted, whenever its attempts are made', async () => {
    // As it will be once the rows from before partitioning have expired: the legacy partitions go
    // with the end of their last day, and only daily partitions are left.
    expect((await dropDayPartitionsBefore(db.dataSource, TODAY + DAY_MS)).sort()).toEqual([
      'deliveries_legacy',
      'delivery_attempts_legacy',
      'events_legacy',
    ]);
    expect(await count(db, 'FROM events')).toBe(0);
    const yesterday = TODAY - DAY_MS;
    // Partitions of past days do not exist: the first write of such a day makes them.
    const claims = new DeliveryClaims(db.dataSource, { owner: 'dispatcher-a', leaseMs: 30_000 });
    const recorder = new BatchingAttemptRecorder(db.dataSource, { owner: 'dispatcher-a' });
    const late = fanOut('ten_a', 'evt_late', yesterday - 40 * DAY_MS, ['wh_1']);
    const evening = fanOut('ten_a', 'evt_evening', yesterday + DAY_MS - 1, ['wh_1', 'wh_2']);
    const now = fanOut('ten_b', 'evt_now', Date.now(), ['wh_3']);
    for (const claim of [late, evening, now]) await claims.claimFanOut(claim);
    // The evening event's attempts are made after midnight.
    await Promise.all([
      recorder.record(attemptOf(evening, 0, TODAY + 5_000)),
      recorder.record(attemptOf(evening, 1, TODAY + 6_000)),
      recorder.record(attemptOf(now, 0, Date.now())),
      recorder.record(attemptOf(late, 0, Date.now())),
    ]);
    await Promise.all([claims.close(), recorder.close()]);

    const dayOf = async (table: string, where: string, params: unknown[]) =>
      (
        await db.dataSource.query(
          `SELECT tableoid::regclass::text AS part FROM ${table} WHERE ${where}`,
          params,
        )
      ).map((row: { part: string }) => row.part);
    const stamp = (day: number) => new Date(day).toISOString().slice(0, 10).replaceAll('-', '');
    expect(await dayOf('events', 'id = $1', ['evt_evening'])).toEqual([`events_p${stamp(yesterday)}`]);
    expect(await dayOf('deliveries', 'event_id = $1', ['evt_evening'])).toEqual([
      `deliveries_p${stamp(yesterday)}`,
      `deliveries_p${stamp(yesterday)}`,
    ]);
    expect(await dayOf('delivery_attempts', 'event_id = $1', ['evt_evening'])).toEqual([
      `delivery_attempts_p${stamp(yesterday)}`,
      `delivery_attempts_p${stamp(yesterday)}`,
    ]);
    expect(await dayOf('delivery_attempts', 'event_id = $1', ['evt_late'])).toEqual([
      `delivery_attempts_p${stamp(yesterday - 40 * DAY_MS)}`,
    ]);
    expect(await dayOf('events', 'id = $1', ['evt_now'])).toEqual([`events_p${stamp(TODAY)}`]);
  });

  it('drop whole expired days and keep the others with all their rows', async () => {
    const yesterday = TODAY - DAY_MS;
    const before = await listDayPartitions(db.dataSource);
    const dropped = await dropDayPartitionsBefore(db.dataSource, yesterday);
    // The day accepted 41 days ago goes; yesterday (attempts made today included) and today stay.
    expect(dropped.sort()).toEqual(
      before
        .filter((p) => p.toDay <= yesterday)
        .map((p) => p.name)
        .sort(),
    );
    expect(dropped).toContain(
      `delivery_attempts_p${new Date(yesterday - 40 * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '')}`,
    );
    expect(await count(db, `FROM events WHERE id = 'evt_late'`)).toBe(0);
    expect(await count(db, `FROM deliveries WHERE event_id = 'evt_late'`)).toBe(0);
    expect(await count(db, `FROM events WHERE id IN ('evt_evening', 'evt_now')`)).toBe(2);
    expect(await count(db, `FROM delivery_attempts WHERE event_id IN ('evt_evening', 'evt_now')`)).toBe(3);
    expect(await count(db, `FROM deliveries WHERE event_id = 'evt_evening' AND status = 'succeeded'`)).toBe(
      2,
    );
  });

  it('make a day once, even when several processes ask at the same time', async () => {
    const far = TODAY + 40 * DAY_MS;
    const made = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.dataSource.transaction((tx) => ensureDayPartitions(tx, [far, far + 5])),
      ),
    );
    expect(made.flat().sort()).toEqual(
      ['delivery_attempts', 'deliveries', 'events']
        .map((t) => `${t}_p${new Date(far).toISOString().slice(0, 10).replaceAll('-', '')}`)
        .sort(),
    );
  });

  it('drop each expired day once, even when several processes sweep at the same time', async () => {
    const old = TODAY - 90 * DAY_MS;
    await db.dataSource.transaction((tx) => ensureDayPartitions(tx, [old, old + DAY_MS]));
    const results = await Promise.all(
      Array.from({ length: 3 }, () => dropDayPartitionsBefore(db.dataSource, old + 2 * DAY_MS)),
    );
    expect(results.flat().sort()).toHaveLength(6);
    expect(new Set(results.flat()).size).toBe(6);
    expect((await listDayPartitions(db.dataSource)).filter((p) => p.toDay <= old + 2 * DAY_MS)).toEqual([]);
  });

  it("delete only a tenant's own days before its shorter retention, each day once", async () => {
    await db.dataSource.query(
      `INSERT INTO tenants (id, name, retention_days) VALUES ('ten_short', 'S', 2), ('ten_long', 'L', NULL)`,
    );
    const claims = new DeliveryClaims(db.dataSource, { owner: 'dispatcher-a', leaseMs: 30_000 });
    for (const [tenant, id, at] of [
      ['ten_short', 'evt_s_old', TODAY - 3 * DAY_MS],
      ['ten_short', 'evt_s_new', TODAY - DAY_MS],
      ['ten_long', 'evt_l_old', TODAY - 3 * DAY_MS],
    ] as const) {
      await claims.claimFanOut(fanOut(tenant, id, at, ['wh_9']));
    }
    await claims.close();

    const [short] = await tenantsWithShorterRetention(db.dataSource, 30);
    expect(short).toEqual({ tenantId: 'ten_short', retentionDays: 2, prunedBefore: undefined });
    expect(await deleteTenantRecordsBefore(db.dataSource, short, TODAY - DAY_MS)).toBe(2);
    expect(await count(db, `FROM events WHERE id IN ('evt_s_new', 'evt_l_old')`)).toBe(2);
    expect(await count(db, `FROM deliveries WHERE event_id IN ('evt_s_new', 'evt_l_old')`)).toBe(2);
    expect(await count(db, `FROM events WHERE id = 'evt_s_old'`)).toBe(0);
    const [after] = await tenantsWithShorterRetention(db.dataSource, 30);
    expect(after.prunedBefore).toBe(TODAY - DAY_MS);
  });
});
