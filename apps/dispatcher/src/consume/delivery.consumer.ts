import {
  catalogue,
  DEAD_LETTER_TOPIC,
  decodeAcceptedEvent,
  decodeDeliveryTask,
  DELIVERY_TASKS_TOPIC,
} from '@hookline/events';
import { isDataRefusal } from '@hookline/persistence';
import type { KafkaMessage, Producer } from 'kafkajs';
import type { DispatchEvent } from '../dispatch/dispatch-event.usecase';
import type { DispatchTask } from '../dispatch/dispatch-task.usecase';
import type { DispatcherMetrics } from '../dispatch/dispatcher.metrics';

/** Every topic the dispatcher consumes: one per event type, and the single-delivery tasks. */
export function dispatcherTopics(): string[] {
  return [...catalogue.map((entry) => entry.topic), DELIVERY_TASKS_TOPIC];
}

/** Identifies a message across processes: attempts are claimed for it. */
export function messageToken(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}/${offset}`;
}

/** Why a message can never be handled, however often it is tried. */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/** Whether a handler failed for what the message holds rather than for a dependency being down. */
export function isPoisonFailure(error: unknown): boolean {
  return error instanceof PoisonMessageError || isDataRefusal(error);
}

/**
 * Thin adapter between Kafka and the use cases: decode, call one use case, and resolve once the
 * outcome is durable (the consumer then commits). A message that cannot be decoded is set aside on
 * the dead-letter topic with the reason at once instead of blocking its partition forever; one that
 * the database refuses (`setAside`, called by the consumer after a few tries) likewise.
 */
export class DeliveryConsumer {
  constructor(
    private readonly dispatchEvent: DispatchEvent,
    private readonly dispatchTask: DispatchTask,
    private readonly producer: Producer,
    private readonly metrics: DispatcherMetrics,
  ) {}

  /** Handles one message of any dispatcher topic. */
  readonly handle = async (topic: string, partition: number, message: KafkaMessage): Promise<void> => {
    const value = message.value ?? Buffer.alloc(0);
    const token = messageToken(topic, partition, message.offset);
    if (topic === DELIVERY_TASKS_TOPIC) {
      const decoded = decodeDeliveryTask(value);
      if (!decoded.ok) return this.setAside(topic, partition, message, decoded.message, 'tasks');
      if (decoded.task.kind !== 'delivery') {
        return this.setAside(
          topic,
          partition,
          message,
          `a ${decoded.task.kind} task does not belong here`,
          'tasks',
        );
      }
      await this.dispatchTask.execute(decoded.task, token);
      return;
    }
    const decoded = decodeAcceptedEvent(value);
    if (!decoded.ok) return this.setAside(topic, partition, message, decoded.message, 'events');
    await this.dispatchEvent.execute(decoded.value, token);
  };

  /** Sets aside a message that failed for what it holds, with the reason. */
  readonly setAsidePoison = (
    topic: string,
    partition: number,
    message: KafkaMessage,
    reason: string,
  ): Promise<void> =>
    this.setAside(topic, partition, message, reason, topic === DELIVERY_TASKS_TOPIC ? 'tasks' : 'events');

  private async setAside(
    topic: string,
    partition: number,
    message: KafkaMessage,
    reason: string,
    kind: string,
  ): Promise<void> {
    await this.producer.send({
      topic: DEAD_LETTER_TOPIC,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            'hookline-error': reason.slice(0, 1000),
            'hookline-source': `${topic}/${partition}/${message.offset}`,
          },
        },
      ],
    });
    this.metrics.poisonMessages.inc({ topic_kind: kind });
  }
}
