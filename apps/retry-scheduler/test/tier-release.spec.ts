import { randomBytes } from 'node:crypto';
import {
  DEAD_LETTER_TOPIC,
  DELIVERY_TASKS_TOPIC,
  encodeDeliveryTask,
  retryTierTopic,
  type RetryTask,
} from '@hookline/events';
import { createTestKafka } from '@hookline/testing';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import {
  eventually,
  type RecordedMessage,
  recordTopics,
  type RetrySchedulerHarness,
  startRetryScheduler,
  type TopicRecorder,
} from './retry-scheduler.harness';

// Tiers no preset and no other test uses, so only this file's tasks are on them.
const FAST = 1337;
const SLOW = 2711;
const SCHEDULE = { HOOKLINE_RETRY_SCHEDULE: `${FAST}ms,${SLOW}ms`, KAFKA_LOG_LEVEL: 'nothing' };
const TENANT = `ten_tier_${randomBytes(4).toString('hex')}`;

let sequence = 0;
function retryTask(dueAt: number, fields: Partial<RetryTask> = {}): RetryTask {
  sequence += 1;
  return {
    kind: 'retry',
    v: 1,
    deliveryId: `dlv_${randomBytes(6).toString('hex')}`,
    eventId: `evt_${sequence}`,
    eventType: 'user.created',
    tenantId: TENANT,
    endpointId: `wh_${sequence % 3}`,
    attempt: 2,
    dueAt,
    reason: 'HTTP 503',
    ...fields,
  };
}

describe('retry tiers', () => {
  let kafka: Kafka;
  let producer: Producer;
  let scheduler: RetrySchedulerHarness;
  let recorder: TopicRecorder;
  let groupId: string;

  const park = async (tierMs: number, partition: number, tasks: RetryTask[]) => {
    await producer.send({
      topic: retryTierTopic(tierMs),
      acks: -1,
      messages: tasks.map((task) => ({ partition, key: task.endpointId, value: encodeDeliveryTask(task) })),
    });
  };
  const handedOn = (tasks: readonly RetryTask[]) => (message: RecordedMessage) =>
    message.topic === DELIVERY_TASKS_TOPIC &&
    tasks.some((task) => task.deliveryId === message.value.deliveryId);

  beforeAll(async () => {
    scheduler = await startRetryScheduler(SCHEDULE);
    groupId = scheduler.config.groupId;
    kafka = createTestKafka('retry-tier-test');
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    recorder = await recordTopics(kafka, [DELIVERY_TASKS_TOPIC, DEAD_LETTER_TOPIC]);
  });
  afterAll(async () => {
    await recorder?.stop();
    await producer?.disconnect();
    await scheduler?.close();
  });

  it('hands every task back to the dispatcher at its due time, never before, in order and with its attempt number', async () => {
    const now = Date.now();
    const first = [
      retryTask(now + FAST, { attempt: 2 }),
      retryTask(now + FAST + 300, { attempt: 3 }),
      retryTask(now + FAST + 900, { attempt: 7 }),
    ];
    const second = [retryTask(now + FAST + 100), retryTask(now + FAST + 600)];
    await park(FAST, 0, first);
    await park(FAST, 1, second);

    const released = await recorder.waitFor(5, handedOn([...first, ...second]));
    for (const task of [...first, ...second]) {
      const message = released.find((m) => m.value.deliveryId === task.deliveryId) as RecordedMessage;
      expect(message.timestamp).toBeGreaterThanOrEqual(task.dueAt);
      expect(message.key).toBe(task.endpointId);
      expect(message.value).toEqual({
        kind: 'delivery',
        v: 1,
        deliveryId: task.deliveryId,
        eventId: task.eventId,
        eventType: task.eventType,
        tenantId: TENANT,
        endpointId: task.endpointId,
        attempt: task.attempt,
      });
    }
    // The tasks of one tier partition leave in the order they were parked (their due order).
    const order = (tasks: RetryTask[]) =>
      tasks.map((task) => released.find((m) => m.value.deliveryId === task.deliveryId)?.timestamp);
    expect(order(first)).toEqual([...(order(first) as number[])].sort((a, b) => a - b));
  });

  it('holds back only the partition whose head is not due: other partitions and other tiers go on', async () => {
    const now = Date.now();
    const blockingHead = retryTask(now + 120_000);
    const behindIt = retryTask(now);
    const otherPartition = retryTask(now + 500);
    const otherTier = retryTask(now + 200);
    await park(SLOW, 0, [blockingHead, behindIt]);
    await park(SLOW, 1, [otherPartition]);
    await park(FAST, 0, [otherTier]);

    await recorder.waitFor(2, handedOn([otherPartition, otherTier]));
    // Give the held-back partition every chance to leak: its tasks must still wait.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(recorder.messages.filter(handedOn([blockingHead, behindIt]))).toEqual([]);

    // The tasks waiting are visible per tier while they wait.
    await eventually('the tier backlog gauge', async () => {
      const metrics = await scheduler.metrics();
      const waiting = new RegExp(
        `^hookline_consumer_lag\\{topic="${retryTierTopic(SLOW).replaceAll('.', '\\.')}",group="${groupId}"[^}]*\\} (\\d+)`,
        'm',
      ).exec(metrics);
      return Number(waiting?.[1] ?? 0) >= 2;
    });
  });

  it('sets aside messages that are not retry tasks and moves on', async () => {
    const valid = retryTask(Date.now());
    await producer.send({
      topic: retryTierTopic(FAST),
      acks: -1,
      messages: [
        { partition: 2, key: 'junk', value: Buffer.from(`{"tenant":"${TENANT}"`) },
        { partition: 2, key: valid.endpointId, value: encodeDeliveryTask(valid) },
      ],
    });
    await recorder.waitFor(1, handedOn([valid]));
    const [setAside] = await recorder.waitFor(
      1,
      (m) => m.topic === DEAD_LETTER_TOPIC && m.value.raw === `{"tenant":"${TENANT}"`,
    );
    expect(setAside.headers['hookline-source']).toMatch(new RegExp(`^${retryTierTopic(FAST)}/2/\\d+$`));
    expect(setAside.headers['hookline-error']).toBeTruthy();
    expect(await scheduler.metrics()).toMatch(
      /^hookline_poison_messages_total\{[^}]*topic_kind="retry-tier"[^}]*\} 1$/m,
    );
  });

  it('counts each hand-off and how late past due it was, per tier', async () => {
    const metrics = await scheduler.metrics();
    const due = /^hookline_retries_due_total\{[^}]*tier="1337ms"[^}]*\} (\d+)$/m.exec(metrics);
    const lagCount = /^hookline_retry_tier_lag_seconds_count\{[^}]*tier="1337ms"[^}]*\} (\d+)$/m.exec(
      metrics,
    );
    // Five from the first test, one from the second, one from the third.
    expect(Number(due?.[1])).toBe(7);
    expect(Number(lagCount?.[1])).toBe(7);
    expect(metrics).toMatch(/^hookline_retries_due_total\{[^}]*tier="2711ms"[^}]*\} 1$/m);
  });

  it('after a restart of the scheduler, hands on the tasks parked while it was down, none early and none twice', async () => {
    await scheduler.close();
    const now = Date.now();
    const parkedWhileDown = [retryTask(now + 1000), retryTask(now + 2500), retryTask(now + 2600)];
    await park(FAST, 0, parkedWhileDown);
    // Same group: it resumes from the offsets committed before the restart.
    scheduler = await startRetryScheduler({ ...SCHEDULE, RETRY_SCHEDULER_GROUP_ID: groupId });

    const released = await recorder.waitFor(3, handedOn(parkedWhileDown));
    for (const task of parkedWhileDown) {
      expect(released.find((m) => m.value.deliveryId === task.deliveryId)?.timestamp).toBeGreaterThanOrEqual(
        task.dueAt,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(recorder.messages.filter(handedOn(parkedWhileDown))).toHaveLength(3);
  });
});
