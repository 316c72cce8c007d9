import { encodeDeliveryTask, type RetryTask } from '@hookline/events';
import type { KafkaMessage } from 'kafkajs';
import { planRelease } from './release-plan';

const task = (attempt: number, dueAt: number): RetryTask => ({
  kind: 'retry',
  v: 1,
  deliveryId: `dlv_${attempt}_${dueAt}`,
  eventId: 'evt_1',
  eventType: 'user.created',
  tenantId: 'ten_1',
  endpointId: 'wh_1',
  attempt,
  dueAt,
  reason: 'HTTP 503',
});

const message = (offset: number, value: Buffer | null): KafkaMessage =>
  ({
    offset: String(offset),
    key: Buffer.from('wh_1'),
    value,
    timestamp: '0',
    attributes: 0,
    headers: {},
  }) as KafkaMessage;

describe('planRelease', () => {
  it('releases the due run from the head and waits for the first task not yet due', () => {
    const messages = [
      message(10, encodeDeliveryTask(task(2, 1000))),
      message(11, encodeDeliveryTask(task(2, 2000))),
      message(12, encodeDeliveryTask(task(3, 2001))),
      message(13, encodeDeliveryTask(task(2, 1500))),
    ];
    const plan = planRelease(messages, 2000);
    expect(plan.release.map((r) => [r.kind, r.offset])).toEqual([
      ['due', '10'],
      ['due', '11'],
    ]);
    expect(plan.waitUntil).toBe(2001);
  });

  it('never releases a task before its due time, even when one behind it is due', () => {
    const plan = planRelease(
      [message(0, encodeDeliveryTask(task(2, 5000))), message(1, encodeDeliveryTask(task(2, 10)))],
      4999,
    );
    expect(plan.release).toEqual([]);
    expect(plan.waitUntil).toBe(5000);
  });

  it('releases everything when every task is due', () => {
    const plan = planRelease(
      [message(0, encodeDeliveryTask(task(2, 1))), message(1, encodeDeliveryTask(task(4, 2)))],
      2,
    );
    expect(plan.release.map((r) => (r.kind === 'due' ? r.task.attempt : 0))).toEqual([2, 4]);
    expect(plan.waitUntil).toBeUndefined();
  });

  it('sets aside what is not a retry task instead of blocking the tier behind it', () => {
    const delivery = encodeDeliveryTask({ ...task(1, 0), kind: 'delivery', dueAt: undefined } as never);
    const plan = planRelease(
      [
        message(0, Buffer.from('{not json')),
        message(1, null),
        message(2, delivery),
        message(3, encodeDeliveryTask(task(2, 100))),
      ],
      50,
    );
    expect(plan.release.map((r) => r.kind)).toEqual(['set-aside', 'set-aside', 'set-aside']);
    expect(plan.release[2]).toMatchObject({ reason: 'a delivery task does not belong on a retry tier' });
    expect(plan.waitUntil).toBe(100);
  });

  it('has nothing to do for an empty fetch', () => {
    expect(planRelease([], 0)).toEqual({ release: [] });
  });
});
