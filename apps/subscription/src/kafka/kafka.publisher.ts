import { setTimeout as delay } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createKafka, renewingProducer } from '@hookline/kafka';
import { type Message, Partitioners, type Producer } from 'kafkajs';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import type { SubscriptionConfig } from '../config';

/** A record to write: `value` null is a tombstone. */
export interface OutgoingRecord {
  readonly key: string;
  readonly value: Buffer | null;
}

/** Kafka did not confirm a write in time; it may or may not have been written. */
export class PublishFailedError extends Error {
  constructor(
    readonly topic: string,
    cause: unknown,
  ) {
    super(`writing to ${topic} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'PublishFailedError';
  }
}

// At shutdown, sends still queued get this long to finish before the producer is closed under them.
const SHUTDOWN_DRAIN_MS = 5_000;

/**
 * The service's one Kafka producer: idempotent, acknowledged by every in-sync replica, one request in
 * flight, so records of one key land in the order they were sent and a retried send is never
 * duplicated. It connects on first use, so the API keeps serving reads while Kafka is down; writes
 * then fail within the publish timeout (and the caller answers 503) instead of waiting out the
 * client's whole reconnect schedule.
 */
@Injectable()
export class KafkaPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger('KafkaPublisher');
  private readonly producer: Producer;
  private readonly timeoutMs: number;
  private connection: Promise<void> | undefined;
  // kafkajs numbers idempotent batches as it builds them; overlapping sends could be numbered out of
  // order after a retry, so sends run one after another.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(@Inject(SUBSCRIPTION_CONFIG) config: SubscriptionConfig) {
    this.timeoutMs = config.subscription.publishTimeoutMs;
    // Renews itself when a restarted broker lost its producer state (see renewingProducer).
    this.producer = renewingProducer(
      createKafka(config.kafka),
      {
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      },
      (error) =>
        this.logger.warn(
          `Kafka lost this producer's state (${(error as Error).message}); using a new producer`,
        ),
    );
  }

  /**
   * Writes `records` to `topic` in order; resolves once all in-sync replicas have them and rejects
   * with `PublishFailedError` when Kafka does not confirm within the publish timeout. A send still
   * waiting for its turn when the caller gives up is dropped, so a change the caller rolled back is
   * not written later; one already under way cannot be recalled.
   */
  send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const messages: Message[] = records.map((record) => ({ key: record.key, value: record.value }));
    let abandoned = false;
    const job = this.queue.then(async () => {
      if (abandoned) return;
      try {
        await this.connect();
        await this.producer.send({ topic, acks: -1, messages });
      } catch (error) {
        // A broken connection is rebuilt on the next send rather than trusted again.
        this.connection = undefined;
        throw error;
      }
    });
    this.queue = job.catch(() => undefined);
    const timer = new AbortController();
    const deadline = delay(this.timeoutMs, undefined, { signal: timer.signal }).then(() => {
      abandoned = true;
      throw new Error(`no acknowledgement within ${this.timeoutMs} ms`);
    });
    return Promise.race([job, deadline])
      .catch((error: unknown) => {
        throw new PublishFailedError(topic, error);
      })
      .finally(() => timer.abort());
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.race([this.queue, delay(SHUTDOWN_DRAIN_MS, undefined, { ref: false })]);
    await this.producer.disconnect().catch((error: unknown) => {
      this.logger.warn(`disconnecting the producer failed: ${(error as Error).message}`);
    });
  }

  private connect(): Promise<void> {
    this.connection ??= this.producer.connect();
    return this.connection;
  }
}
