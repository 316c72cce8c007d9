import { renewingProducer } from '@hookline/kafka';
import { describeFailure } from '@hookline/observability';
import { CompressionTypes, type Kafka, Partitioners, type Producer, type TopicMessages } from 'kafkajs';
import CircuitBreaker from 'opossum';
import type { MessagePublisher, OutboundMessage, PublishOutcome } from './message.publisher';

/** Settings of the Kafka publisher. */
export interface KafkaMessagePublisherOptions {
  /** Most records sent in one produce request; more wait for the next one. */
  readonly maxBatchMessages?: number;
  /**
   * Most value and key bytes coalesced into one produce request. Kafka refuses a record batch over its
   * size limit (1 MB by default) as a whole, so coalescing must not turn several small requests into
   * one that fails them all. A single publish larger than this is still sent, on its own.
   */
  readonly maxBatchBytes?: number;
  /**
   * How often the client retries a failed send before the publish counts as failed. Bounded so a
   * broker outage becomes a prompt 503 instead of a request that hangs until Kafka returns.
   */
  readonly retries?: number;
  /**
   * After a send fails for want of a reachable cluster, further sends fail at once for this long,
   * then one is tried again. Without it every request during an outage would sit through the
   * client's whole connection retry cycle before its 503.
   */
  readonly breakerResetMs?: number;
  /** Told when the producer was replaced because Kafka lost its idempotent state. */
  readonly onProducerRenewed?: (error: unknown) => void;
}

// Errors about the records themselves (too large, malformed): the cluster is fine, so they must not
// make sends of other records fail fast.
const RECORD_REJECTIONS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/** Whether one send got as far as the client, after which its records may be written whatever it answers. */
interface SendAttempt {
  handedOver: boolean;
}

interface Pending {
  readonly messages: readonly OutboundMessage[];
  readonly bytes: number;
  readonly settle: (outcome: PublishOutcome) => void;
}

/**
 * Publishes with acks from all in-sync replicas through one idempotent producer.
 *
 * One produce request is in flight at a time: the client numbers idempotent batches when it builds
 * them, and overlapping sends could be numbered out of order after a retry. Requests that arrive
 * meanwhile are coalesced into the next send, so concurrency turns into larger batches rather than a
 * queue of small ones. Records keep the order in which `publish` was called.
 */
export class KafkaMessagePublisher implements MessagePublisher {
  private readonly producer: Producer;
  private readonly breaker: CircuitBreaker<[readonly OutboundMessage[], SendAttempt], void>;
  private readonly maxBatchMessages: number;
  private readonly maxBatchBytes: number;
  private readonly waiting: Pending[] = [];
  private connected = false;
  private connecting: Promise<void> | undefined;
  private sending: Promise<void> | undefined;
  private closed = false;

  constructor(kafka: Kafka, options: KafkaMessagePublisherOptions = {}) {
    this.maxBatchMessages = options.maxBatchMessages ?? 1_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 512 * 1024;
    // A broker restarted without its producer state refuses this producer's numbering for good; the
    // producer then renews itself (a new id), and the publish that met it failed as any other does.
    this.producer = renewingProducer(
      kafka,
      {
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // The murmur2 partitioner of the Java client, so every producer maps a key to the same partition.
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: 2_000 },
      },
      (error) => options.onProducerRenewed?.(error),
    );
    this.breaker = new CircuitBreaker(
      (messages: readonly OutboundMessage[], attempt: SendAttempt) => this.sendNow(messages, attempt),
      {
        // The client bounds its own retries; a second deadline here could abandon a send that then succeeds.
        timeout: false,
        errorThresholdPercentage: 50,
        volumeThreshold: 1,
        resetTimeout: options.breakerResetMs ?? 2_000,
        errorFilter: (error: unknown) => RECORD_REJECTIONS.has(errorType(error)),
      },
    );
    this.producer.on(this.producer.events.CONNECT, () => {
      this.connected = true;
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  /** Connects eagerly; a failure is not fatal, the next publish connects again. */
  async connect(): Promise<PublishOutcome> {
    try {
      await this.ensureConnected();
      return { kind: 'published' };
    } catch (error) {
      return { kind: 'failed', reason: describeFailure(error), written: 'no' };
    }
  }

  /** Queues `messages` for the next produce request and resolves with its outcome. */
  publish(messages: readonly OutboundMessage[]): Promise<PublishOutcome> {
    if (messages.length === 0) return Promise.resolve({ kind: 'published' });
    if (this.closed)
      return Promise.resolve({ kind: 'failed', reason: 'publisher is shut down', written: 'no' });
    return new Promise((settle) => {
      this.waiting.push({ messages, bytes: sizeOf(messages), settle });
      this.sending ??= this.drain();
    });
  }

  /** Waits for queued records to be sent, then disconnects. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sending;
    this.breaker.shutdown();
    await this.producer.disconnect().catch(() => undefined);
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.takeBatch();
        const outcome = await this.send(batch.flatMap((pending) => pending.messages));
        for (const pending of batch) pending.settle(outcome);
      }
    } finally {
      this.sending = undefined;
    }
  }

  // Whole publishes only: a caller's records succeed or fail together.
  private takeBatch(): Pending[] {
    const batch: Pending[] = [this.waiting.shift()!];
    let count = batch[0].messages.length;
    let bytes = batch[0].bytes;
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      if (count + next.messages.length > this.maxBatchMessages || bytes + next.bytes > this.maxBatchBytes)
        break;
      this.waiting.shift();
      count += next.messages.length;
      bytes += next.bytes;
      batch.push(next);
    }
    return batch;
  }

  private async send(messages: readonly OutboundMessage[]): Promise<PublishOutcome> {
    const attempt: SendAttempt = { handedOver: false };
    try {
      await this.breaker.fire(messages, attempt);
      return { kind: 'published' };
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
        return {
          kind: 'failed',
          reason: 'Kafka was unreachable moments ago; not trying again yet',
          written: 'no',
        };
      }
      return {
        kind: 'failed',
        reason: describeFailure(error),
        written: attempt.handedOver ? 'unknown' : 'no',
      };
    }
  }

  private async sendNow(messages: readonly OutboundMessage[], attempt: SendAttempt): Promise<void> {
    await this.ensureConnected();
    attempt.handedOver = true;
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: groupByTopic(messages),
    });
  }

  private async ensureConnected(): Promise<void> {
    if (this.connected) return;
    this.connecting ??= this.producer.connect().finally(() => {
      this.connecting = undefined;
    });
    await this.connecting;
  }
}

// The client wraps the broker's error; its code sits in `type` somewhere down the `cause` chain.
function errorType(error: unknown): string {
  const { type, cause } = (error ?? {}) as { type?: unknown; cause?: unknown };
  if (typeof type === 'string') return type;
  return cause && cause !== error ? errorType(cause) : '';
}

function sizeOf(messages: readonly OutboundMessage[]): number {
  let bytes = 0;
  for (const message of messages) {
    bytes += (message.value?.length ?? 0) + (message.key === null ? 0 : Buffer.byteLength(message.key));
  }
  return bytes;
}

// Topics keep the order of their first record and every topic keeps the order of its records, which
// is all Kafka can order anyway (per partition, and a key always maps to one partition).
function groupByTopic(messages: readonly OutboundMessage[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>();
  for (const message of messages) {
    let entry = byTopic.get(message.topic);
    if (!entry) {
      entry = { topic: message.topic, messages: [] };
      byTopic.set(message.topic, entry);
    }
    entry.messages.push({ key: message.key, value: message.value, headers: { ...message.headers } });
  }
  return [...byTopic.values()];
}
