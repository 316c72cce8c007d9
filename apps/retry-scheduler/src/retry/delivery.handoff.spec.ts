import {
  DEAD_LETTER_TOPIC,
  DELIVERY_TASKS_TOPIC,
  decodeDeliveryTask,
  type RetryTask,
} from '@hookline/events';
import type { KafkaMessage, ProducerBatch, RecordMetadata } from 'kafkajs';
import { Registry } from 'prom-client';
import { DeliveryHandoff } from './delivery.handoff';
import { RetrySchedulerMetrics } from './retry-scheduler.metrics';

const TIER = 'hookline.retry.5s';
const task: RetryTask = {
  kind: 'retry',
  v: 1,
  deliveryId: 'dlv_1',
  eventId: 'evt_1',
  eventType: 'user.created',
  tenantId: 'ten_1',
  endpointId: 'wh_1',
  attempt: 3,
  dueAt: 10_000,
  reason: 'HTTP 503',
};
const poison = { offset: '8', key: Buffer.from('k'), value: Buffer.from('junk') } as KafkaMessage;

function setUp(send: (batch: ProducerBatch) => Promise<RecordMetadata[]>) {
  const registry = new Registry();
  const metrics = new RetrySchedulerMetrics(registry);
  const handoff = new DeliveryHandoff({ sendBatch: send }, metrics, new Map([[TIER, '5s']]), () => 12_500);
  return { registry, handoff };
}

describe('DeliveryHandoff', () => {
  it('turns due retries into delivery attempts keyed by endpoint and sets the rest aside, in one acked batch', async () => {
    const batches: ProducerBatch[] = [];
    const { registry, handoff } = setUp(async (batch) => {
      batches.push(batch);
      return [];
    });
    await handoff.release(TIER, 2, [
      { kind: 'set-aside', offset: '8', message: poison, reason: 'malformed' },
      { kind: 'due', offset: '9', task },
    ]);

    expect(batches).toHaveLength(1);
    expect(batches[0].acks).toBe(-1);
    const [attempts, setAside] = batches[0].topicMessages ?? [];
    expect(attempts.topic).toBe(DELIVERY_TASKS_TOPIC);
    expect(attempts.messages.map((m) => m.key)).toEqual(['wh_1']);
    const decoded = decodeDeliveryTask(attempts.messages[0].value as Buffer);
    expect(decoded).toEqual({
      ok: true,
      task: {
        kind: 'delivery',
        v: 1,
        deliveryId: 'dlv_1',
        eventId: 'evt_1',
        eventType: 'user.created',
        tenantId: 'ten_1',
        endpointId: 'wh_1',
        attempt: 3,
      },
    });
    expect(setAside.topic).toBe(DEAD_LETTER_TOPIC);
    expect(setAside.messages[0]).toMatchObject({
      value: Buffer.from('junk'),
      headers: { 'hookline-error': 'malformed', 'hookline-source': `${TIER}/2/8` },
    });

    const text = await registry.metrics();
    expect(text).toMatch(/^hookline_retries_due_total\{tier="5s"\} 1$/m);
    expect(text).toMatch(/^hookline_retry_tier_lag_seconds_sum\{tier="5s"\} 2\.5$/m);
    expect(text).toMatch(/^hookline_poison_messages_total\{topic_kind="retry-tier"\} 1$/m);
  });

  it('counts nothing when Kafka did not acknowledge, so the caller keeps the offset', async () => {
    const { registry, handoff } = setUp(async () => {
      throw new Error('broker down');
    });
    await expect(handoff.release(TIER, 0, [{ kind: 'due', offset: '1', task }])).rejects.toThrow(
      'broker down',
    );
    expect(await registry.metrics()).not.toMatch(/^hookline_retries_due_total\{/m);
  });
});
