import { Injectable } from '@nestjs/common';
import { type DeliveryAttemptTask, DELIVERY_TASKS_TOPIC, encodeDeliveryTask } from '@hookline/events';
import { KafkaPublisher } from '../kafka/kafka.publisher';
import { type DeliveryTaskReason, SubscriptionMetrics } from '../metrics/subscription.metrics';

/** Produces delivery attempts for the dispatcher, keyed by endpoint so one endpoint's tasks stay in order. */
@Injectable()
export class DeliveryTaskWriter {
  constructor(
    private readonly publisher: KafkaPublisher,
    private readonly metrics: SubscriptionMetrics,
  ) {}

  /** Writes `tasks`; resolves once Kafka holds them durably, rejects with `PublishFailedError`. */
  async write(reason: DeliveryTaskReason, tasks: readonly DeliveryAttemptTask[]): Promise<void> {
    try {
      await this.publisher.send(
        DELIVERY_TASKS_TOPIC,
        tasks.map((task) => ({ key: task.endpointId, value: encodeDeliveryTask(task) })),
      );
    } catch (error) {
      this.metrics.deliveryTasksWritten(reason, 'failed', tasks.length);
      throw error;
    }
    this.metrics.deliveryTasksWritten(reason, 'ok', tasks.length);
  }
}
