import {
  DEAD_LETTER_TOPIC,
  encodeDeadLetter,
  encodeDeliveryTask,
  encodeOperationalEvent,
  OPERATIONAL_EVENTS_TOPIC,
  retryTierTopic,
} from '@hookline/events';
import { BatchWriter } from '@hookline/persistence';
import type { Message, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { DispatcherMetrics } from './dispatcher.metrics';

/** Identifies one attempt of one delivery. */
export interface AttemptRef {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly tenantId: string;
  readonly endpointId: string;
  readonly attempt: number;
}

/**
 * Hands deliveries that did not succeed to the retry path: a retry task on the tier topic of its
 * delay, or, once the schedule is used up, the dead-letter topic plus an operational event. Every
 * method resolves only once Kafka has acknowledged, so the caller may then commit its offset.
 */
export class RetryHandoff {
  // Retry tasks are produced in batches: one request per few milliseconds instead of one per task,
  // which matters when an open breaker or a full endpoint queue defers thousands at once.
  private readonly tasks: BatchWriter<{ topic: string; message: Message }>;

  constructor(
    private readonly producer: Producer,
    private readonly dataSource: DataSource,
    private readonly metrics: DispatcherMetrics,
    private readonly now: () => number = Date.now,
  ) {
    this.tasks = new BatchWriter(
      async (items) => {
        const byTopic = new Map<string, Message[]>();
        for (const { topic, message } of items) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      },
      { maxBatchRows: 500, flushIntervalMs: 5 },
    );
  }

  /** Sends what is queued and refuses further tasks. */
  close(): Promise<void> {
    return this.tasks.close();
  }

  /** Parks attempt `nextAttempt` of the delivery on the tier of `tierDelayMs` until `delayMs` from now. */
  async schedule(
    ref: AttemptRef,
    nextAttempt: number,
    delayMs: number,
    tierDelayMs: number,
    reason: string,
  ): Promise<void> {
    const topic = retryTierTopic(tierDelayMs);
    const value = encodeDeliveryTask({
      kind: 'retry',
      v: 1,
      deliveryId: ref.deliveryId,
      eventId: ref.eventId,
      eventType: ref.eventType,
      tenantId: ref.tenantId,
      endpointId: ref.endpointId,
      attempt: nextAttempt,
      dueAt: this.now() + delayMs,
      reason: reason.slice(0, 500),
    });
    await this.tasks.add({ topic, message: { key: ref.endpointId, value } });
    this.metrics.retriesScheduled.inc({ tier: topic.slice(topic.lastIndexOf('.') + 1) });
  }

  /** Sets the delivery aside after its last attempt, with its history, and tells operators. */
  async exhausted(ref: AttemptRef, reason: string): Promise<void> {
    const history: Array<{
      attempt_number: number;
      status_code: number | null;
      error_class: string | null;
      started_at: Date;
    }> = await this.dataSource.query(
      `SELECT attempt_number, status_code, error_class, started_at FROM delivery_attempts
         WHERE tenant_id = $1 AND delivery_id = $2 ORDER BY attempt_number, started_at`,
      [ref.tenantId, ref.deliveryId],
    );
    const at = this.now();
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [
        {
          topic: DEAD_LETTER_TOPIC,
          messages: [
            {
              key: ref.endpointId,
              value: encodeDeadLetter({
                deliveryId: ref.deliveryId,
                eventId: ref.eventId,
                eventType: ref.eventType,
                tenantId: ref.tenantId,
                endpointId: ref.endpointId,
                attempts: ref.attempt,
                reason,
                history: history.map((h) => ({
                  attempt: h.attempt_number,
                  statusCode: h.status_code,
                  errorClass: h.error_class,
                  at: new Date(h.started_at).toISOString(),
                })),
                deadLetteredAt: at,
              }),
            },
          ],
        },
        {
          topic: OPERATIONAL_EVENTS_TOPIC,
          messages: [
            {
              key: ref.tenantId,
              value: encodeOperationalEvent({
                type: 'webhook.delivery.exhausted',
                tenantId: ref.tenantId,
                occurredAt: at,
                data: {
                  delivery_id: ref.deliveryId,
                  event_id: ref.eventId,
                  endpoint_id: ref.endpointId,
                  attempts: ref.attempt,
                  reason,
                },
              }),
            },
          ],
        },
      ],
    });
    this.metrics.deadLettered.inc();
  }
}
