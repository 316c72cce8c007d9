import { randomBytes } from 'node:crypto';
import { DELIVERY_TASKS_TOPIC } from '@hookline/events';
import { createTestDatabase, createTestKafka, type TestDatabase } from '@hookline/testing';
import type { Kafka } from 'kafkajs';
import { labelledDeliveryId } from '@hookline/persistence';
import {
  eventually,
  recordTopics,
  type RetrySchedulerHarness,
  startRetryScheduler,
  type TopicRecorder,
} from './retry-scheduler.harness';

const TENANT = `ten_stalled_${randomBytes(4).toString('hex')}`;

describe('deliveries left waiting by a crash between the database and Kafka', () => {
  let db: TestDatabase;
  let kafka: Kafka;
  let recorder: TopicRecorder;
  let scheduler: RetrySchedulerHarness;

  /** A delivery as a redelivery, a retry or a claim left it, due `dueSecondsAgo` ago. */
  const delivery = async (
    name: string,
    fields: { status: string; attemptCount: number; dueSecondsAgo: number; claimedForSeconds?: number },
  ): Promise<string> => {
    const id = labelledDeliveryId(`${name}_${randomBytes(4).toString('hex')}`);
    await db.dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, next_attempt_at,
         claimed_by, claim_token, claimed_until)
       VALUES ($1, $2, 'wh_stalled', 'evt_stalled', $3, $4, now() - $5 * interval '1 second',
         $6, $7, now() + $8 * interval '1 second')`,
      [
        id,
        TENANT,
        fields.status,
        fields.attemptCount,
        fields.dueSecondsAgo,
        fields.claimedForSeconds === undefined ? null : 'dispatcher-alive',
        fields.claimedForSeconds === undefined ? null : 'hookline.deliveries/0/1',
        fields.claimedForSeconds ?? null,
      ],
    );
    return id;
  };
  const tasksFor = (deliveryId: string) =>
    recorder.messages.filter((m) => m.topic === DELIVERY_TASKS_TOPIC && m.value.deliveryId === deliveryId);

  beforeAll(async () => {
    db = await createTestDatabase();
    kafka = createTestKafka('stalled-delivery-test');
    recorder = await recordTopics(kafka, [DELIVERY_TASKS_TOPIC]);
    await db.dataSource.query(
      `INSERT INTO events (id, tenant_id, type, api_version, created_at, livemode, payload)
       VALUES ('evt_stalled', $1, 'user.created', '2026-11-01', now(), true, '{}')`,
      [TENANT],
    );
  });
  afterAll(async () => {
    await scheduler?.close();
    await recorder?.stop();
    await db?.drop();
  });

  it('queues the next attempt of each delivery nobody is working on, once, and leaves the rest alone', async () => {
    // A redelivery committed as pending whose task never reached Kafka.
    const redelivered = await delivery('redelivered', {
      status: 'pending',
      attemptCount: 2,
      dueSecondsAgo: 60,
    });
    // An attempt recorded as awaiting its retry, whose retry task was never parked.
    const unparked = await delivery('unparked', {
      status: 'awaiting_retry',
      attemptCount: 1,
      dueSecondsAgo: 60,
    });
    // Waiting, but not long past due: its task may well be on its way.
    const recent = await delivery('recent', { status: 'awaiting_retry', attemptCount: 1, dueSecondsAgo: 0 });
    // Overdue, but a live dispatcher holds it.
    const claimed = await delivery('claimed', {
      status: 'pending',
      attemptCount: 0,
      dueSecondsAgo: 60,
      claimedForSeconds: 600,
    });
    const finished = await delivery('finished', { status: 'succeeded', attemptCount: 1, dueSecondsAgo: 60 });

    scheduler = await startRetryScheduler({
      DATABASE_URL: db.url,
      RETRY_STALLED_AFTER: '30s',
      RETRY_STALLED_SWEEP_INTERVAL: '200ms',
    });

    await eventually(
      'both stalled deliveries to be queued again',
      () => tasksFor(redelivered).length > 0 && tasksFor(unparked).length > 0,
    );
    expect(tasksFor(redelivered)[0].value).toMatchObject({
      kind: 'delivery',
      attempt: 3,
      tenantId: TENANT,
      eventId: 'evt_stalled',
      eventType: 'user.created',
      endpointId: 'wh_stalled',
    });
    expect(tasksFor(unparked)[0].value).toMatchObject({ kind: 'delivery', attempt: 2 });
    // Several more sweeps run; a delivery queued again is not queued again within the grace period.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(tasksFor(redelivered)).toHaveLength(1);
    expect(tasksFor(unparked)).toHaveLength(1);
    for (const untouched of [recent, claimed, finished]) expect(tasksFor(untouched)).toHaveLength(0);
    expect(await scheduler.metrics()).toMatch(/^hookline_stalled_deliveries_requeued_total\{[^}]*\} 2$/m);
  });
});
