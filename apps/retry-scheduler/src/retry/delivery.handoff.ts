import {
  DEAD_LETTER_TOPIC,
  DELIVERY_TASKS_TOPIC,
  type DeliveryAttemptTask,
  encodeDeliveryTask,
  type RetryTask,
} from '@hookline/events';
import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { Release } from './release-plan';
import type { RetrySchedulerMetrics } from './retry-scheduler.metrics';

/** Takes released tier messages off the scheduler's hands; resolves only once Kafka holds them durably. */
export interface Releaser {
  /** Hands `releases` of one tier partition on, in order. */
  release(topic: string, partition: number, releases: readonly Release[]): Promise<void>;
}

/**
 * Turns due retry tasks back into delivery attempts on the dispatcher's task topic — the path a
 * manual redelivery takes too, so a retry is signed, gated by the breaker and recorded exactly like
 * a first attempt — and sets anything else aside on the dead-letter topic. Both in one
 * acknowledged batch, so the caller may commit the tier offset as soon as it resolves.
 */
export class DeliveryHandoff implements Releaser {
  constructor(
    private readonly producer: Pick<Producer, 'sendBatch'>,
    private readonly metrics: RetrySchedulerMetrics,
    /** Tier label (`5s`, `1m`) of each tier topic, for metrics. */
    private readonly tierLabels: ReadonlyMap<string, string>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Produces the batch with acks from every in-sync replica, then counts it. */
  async release(topic: string, partition: number, releases: readonly Release[]): Promise<void> {
    const attempts: Message[] = [];
    const setAside: Message[] = [];
    for (const release of releases) {
      if (release.kind === 'due') {
        attempts.push({ key: release.task.endpointId, value: encodeDeliveryTask(attemptOf(release.task)) });
      } else {
        setAside.push({
          key: release.message.key,
          value: release.message.value,
          headers: {
            'hookline-error': release.reason.slice(0, 1000),
            'hookline-source': `${topic}/${partition}/${release.offset}`,
          },
        });
      }
    }
    const topicMessages: TopicMessages[] = [];
    if (attempts.length > 0) topicMessages.push({ topic: DELIVERY_TASKS_TOPIC, messages: attempts });
    if (setAside.length > 0) topicMessages.push({ topic: DEAD_LETTER_TOPIC, messages: setAside });
    if (topicMessages.length === 0) return;
    await this.producer.sendBatch({ acks: -1, topicMessages });

    const tier = this.tierLabels.get(topic) ?? topic;
    const at = this.now();
    for (const release of releases) {
      if (release.kind === 'due') {
        this.metrics.retriesDue.inc({ tier });
        this.metrics.tierLag.observe({ tier }, Math.max(0, at - release.task.dueAt) / 1000);
      } else {
        this.metrics.poisonMessages.inc({ topic_kind: 'retry-tier' });
      }
    }
  }
}

/** The delivery attempt a due retry task stands for; due now, so it carries no `dueAt`. */
export function attemptOf(task: RetryTask): DeliveryAttemptTask {
  return {
    kind: 'delivery',
    v: 1,
    deliveryId: task.deliveryId,
    eventId: task.eventId,
    eventType: task.eventType,
    tenantId: task.tenantId,
    endpointId: task.endpointId,
    attempt: task.attempt,
  };
}
