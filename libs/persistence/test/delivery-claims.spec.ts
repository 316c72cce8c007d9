import {
  BatchingAttemptRecorder,
  type AttemptRecord,
  DeliveryClaims,
  type EventRecord,
  runMigrations,
  labelledDeliveryId,
} from '../src';
import { createEmptyDatabase, type EmptyDatabase } from './support/test-database';

const LEASE_MS = 60_000;

function event(tenantId: string, id: string, data: Record<string, unknown> = { id: 'u1' }): EventRecord {
  return {
    id,
    tenantId,
    type: 'user.created',
    apiVersion: '2026-11-01',
    createdAt: new Date('2026-12-01T00:00:00.000Z'),
    livemode: true,
    payload: { id, type: 'user.created', data },
    requestId: null,
    idempotencyKey: null,
  };
}

function recordOf(deliveryId: string, attemptNumber: number, claimToken: string): AttemptRecord {
  const at = new Date();
  return {
    sendId: `send_${deliveryId}_${attemptNumber}_${claimToken}`,
    claimToken,
    deliveryId,
    tenantId: 'ten_a',
    endpointId: 'wh_a',
    eventId: 'evt_1',
    attemptNumber,
    requestHeaders: {},
    customHeaderNames: [],
    statusCode: 503,
    responseHeaders: {},
    responseBody: '',
    durationMs: 1,
    errorClass: 'http_503',
    errorMessage: 'endpoint answered 503',
    startedAt: at,
    finishedAt: at,
    deliveryStatus: 'awaiting_retry',
    nextAttemptAt: new Date(at.getTime() - 1_000),
  };
}

describe('DeliveryClaims', () => {
  let db: EmptyDatabase;
  let a: DeliveryClaims;
  let b: DeliveryClaims;
  let recorder: BatchingAttemptRecorder;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await runMigrations(db.dataSource);
    a = new DeliveryClaims(db.dataSource, { owner: 'dispatcher-a', leaseMs: LEASE_MS });
    b = new DeliveryClaims(await db.connect(), { owner: 'dispatcher-b', leaseMs: LEASE_MS });
    recorder = new BatchingAttemptRecorder(db.dataSource, { owner: 'dispatcher-a' });
  });

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE events, deliveries, delivery_attempts');
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), recorder?.close()]);
    await db?.drop();
  });

  it('stores the event once and gives each first attempt to one message only', async () => {
    const fanOut = {
      event: event('ten_a', 'evt_1'),
      deliveries: [{ deliveryId: labelledDeliveryId('1'), endpointId: 'wh_a' }],
      token: 'events/0/5',
    };

    expect((await a.claimFanOut(fanOut)).get(labelledDeliveryId('1'))).toEqual({ kind: 'claimed' });
    // The same process handling the same message again keeps its claim.
    expect((await a.claimFanOut(fanOut)).get(labelledDeliveryId('1'))).toEqual({ kind: 'claimed' });
    // Another process reading the same message (the partition moved) sees it in hand.
    expect((await b.claimFanOut(fanOut)).get(labelledDeliveryId('1'))).toEqual({
      kind: 'claimed-elsewhere',
      sameMessage: true,
    });
    // A second copy of the event (republished) is a different message: not sent alongside.
    expect((await a.claimFanOut({ ...fanOut, token: 'events/1/9' })).get(labelledDeliveryId('1'))).toEqual({
      kind: 'claimed-elsewhere',
      sameMessage: false,
    });

    await recorder.record(recordOf(labelledDeliveryId('1'), 1, 'events/0/5'));
    // Once recorded, any message for the first attempt finds it made.
    expect((await b.claimFanOut(fanOut)).get(labelledDeliveryId('1'))).toEqual({ kind: 'settled' });
    const events: Array<{ id: string }> = await db.dataSource.query('SELECT id FROM events');
    expect(events).toEqual([{ id: 'evt_1' }]);
  });

  it('keeps two tenants events with the same id apart', async () => {
    const [first, second] = await Promise.all([
      a.claimFanOut({
        event: event('ten_a', 'evt_order_1', { id: 'a' }),
        deliveries: [{ deliveryId: labelledDeliveryId('a'), endpointId: 'wh_a' }],
        token: 'events/0/1',
      }),
      a.claimFanOut({
        event: event('ten_b', 'evt_order_1', { id: 'b' }),
        deliveries: [{ deliveryId: labelledDeliveryId('b'), endpointId: 'wh_b' }],
        token: 'events/0/2',
      }),
    ]);

    expect(first.get(labelledDeliveryId('a'))).toEqual({ kind: 'claimed' });
    expect(second.get(labelledDeliveryId('b'))).toEqual({ kind: 'claimed' });
    const rows: Array<{ tenant_id: string; data: string }> = await db.dataSource.query(
      `SELECT tenant_id, payload->'data'->>'id' AS data FROM events ORDER BY tenant_id`,
    );
    expect(rows).toEqual([
      { tenant_id: 'ten_a', data: 'a' },
      { tenant_id: 'ten_b', data: 'b' },
    ]);
  });

  it('lets a retry chain run once: a duplicate task finds its attempt made or in hand', async () => {
    await a.claimFanOut({
      event: event('ten_a', 'evt_1'),
      deliveries: [{ deliveryId: labelledDeliveryId('1'), endpointId: 'wh_a' }],
      token: 'events/0/5',
    });
    await recorder.record(recordOf(labelledDeliveryId('1'), 1, 'events/0/5'));

    const retry = {
      deliveryId: labelledDeliveryId('1'),
      tenantId: 'ten_a',
      attempt: 2,
      token: 'deliveries/0/1',
    };
    expect(await a.claimAttempt(retry)).toEqual({ kind: 'claimed' });
    // The same retry task parked twice (a crash between hand-off and commit) is a second message.
    expect(await b.claimAttempt({ ...retry, token: 'deliveries/2/7' })).toEqual({
      kind: 'claimed-elsewhere',
      sameMessage: false,
    });
    await recorder.record(recordOf(labelledDeliveryId('1'), 2, 'deliveries/0/1'));
    expect(await b.claimAttempt({ ...retry, token: 'deliveries/2/7' })).toEqual({ kind: 'settled' });
    // Another tenant cannot claim it at all.
    expect(await a.claimAttempt({ ...retry, attempt: 3, tenantId: 'ten_b' })).toEqual({ kind: 'missing' });
  });

  it('refuses a task early for its delivery, and never claims a finished delivery', async () => {
    await db.dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, next_attempt_at)
       VALUES ($1, 'ten_a', 'wh_a', 'evt_1', 'awaiting_retry', 1, now() + interval '10 minutes'),
              ($2, 'ten_a', 'wh_a', 'evt_1', 'succeeded', 1, NULL)`,
      [labelledDeliveryId('later'), labelledDeliveryId('done')],
    );

    expect(
      await a.claimAttempt({
        deliveryId: labelledDeliveryId('later'),
        tenantId: 'ten_a',
        attempt: 2,
        token: 't/0/1',
      }),
    ).toEqual({ kind: 'not-due' });
    expect(
      await a.claimAttempt({
        deliveryId: labelledDeliveryId('done'),
        tenantId: 'ten_a',
        attempt: 2,
        token: 't/0/2',
      }),
    ).toEqual({ kind: 'settled' });
  });

  it('lets another process take over an attempt whose claim ran out', async () => {
    await a.claimFanOut({
      event: event('ten_a', 'evt_1'),
      deliveries: [{ deliveryId: labelledDeliveryId('1'), endpointId: 'wh_a' }],
      token: 'events/0/5',
    });
    await db.dataSource.query(`UPDATE deliveries SET claimed_until = now() - interval '1 second'`);

    const verdicts = await b.claimFanOut({
      event: event('ten_a', 'evt_1'),
      deliveries: [{ deliveryId: labelledDeliveryId('1'), endpointId: 'wh_a' }],
      token: 'events/0/5',
    });

    expect(verdicts.get(labelledDeliveryId('1'))).toEqual({ kind: 'claimed' });
    const [row]: Array<{ claimed_by: string }> = await db.dataSource.query(
      'SELECT claimed_by FROM deliveries',
    );
    expect(row.claimed_by).toBe('dispatcher-b');
  });

  it('fails only the fan-out whose event the database cannot store', async () => {
    const good = a.claimFanOut({
      event: event('ten_a', 'evt_good'),
      deliveries: [{ deliveryId: labelledDeliveryId('good'), endpointId: 'wh_a' }],
      token: 'events/0/1',
    });
    const bad = a.claimFanOut({
      event: event('ten_a', 'evt_bad', { name: 'A\u0000B' }),
      deliveries: [{ deliveryId: labelledDeliveryId('bad'), endpointId: 'wh_a' }],
      token: 'events/0/2',
    });

    await expect(bad).rejects.toMatchObject({ code: '22P05' });
    expect((await good).get(labelledDeliveryId('good'))).toEqual({ kind: 'claimed' });
    const ids: Array<{ id: string }> = await db.dataSource.query('SELECT id FROM deliveries');
    expect(ids).toEqual([{ id: labelledDeliveryId('good') }]);
  });
});
