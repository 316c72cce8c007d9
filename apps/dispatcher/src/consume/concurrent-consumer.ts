import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { ConsumerSupervisor, retryRetriable } from '@hookline/kafka';
import { OffsetTracker } from './offset-tracker';

/** Handles one message; resolves once its outcome is durable, rejects when it must be tried again. */
export type MessageHandler = (topic: string, partition: number, message: KafkaMessage) => Promise<void>;

/** Settings of a concurrent consumer. */
export interface ConcurrentConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * How far processing may run ahead of a partition's commit point (the oldest unfinished message):
   * a crash or rebalance makes the next owner read at most this many messages of it again.
   */
  readonly maxUncommittedPerPartition: number;
  /** How often finished offsets are committed. */
  readonly commitIntervalMs: number;
  /** Where a group with no committed offset starts: the oldest retained message, or only new ones. */
  readonly initialOffset: 'earliest' | 'latest';
  /** Told when a handler failed and will be tried again. */
  readonly onHandlerError: (error: unknown, topic: string, partition: number, offset: string) => void;
  /**
   * Whether a handler's failure is about the message itself (it cannot be decoded, stored or
   * validated) rather than a dependency being down: such a message is set aside after
   * `maxPoisonTries` failures, while a transient failure is retried for as long as it lasts.
   */
  readonly isPoison: (error: unknown) => boolean;
  /** Failures of the kind `isPoison` names before the message is set aside. */
  readonly maxPoisonTries: number;
  /** Sets a message aside (the dead-letter topic) with its reason; resolves once that is durable. */
  readonly setAside: (
    topic: string,
    partition: number,
    message: KafkaMessage,
    reason: string,
  ) => Promise<void>;
  /** Told when committing offsets failed (the next commit, or the next owner, covers them). */
  readonly onCommitError: (error: unknown) => void;
  /** Told when the client gave up after a crash and a new consumer is about to replace it. */
  readonly onRestart: (reason: string, delayMs: number) => void;
}

interface PartitionState {
  readonly tracker: OffsetTracker;
  readonly waiters: Array<() => void>;
}

const RETRY_BACKOFF_MS = [100, 500, 1000, 2000, 5000, 10_000];

/**
 * A Kafka consumer that processes the messages of a partition concurrently, so one slow message
 * does not hold back the ones behind it, yet commits an offset only once every message before it
 * has finished: a crash at any moment loses nothing (messages in flight are read again, so a
 * delivery may be repeated, never dropped). Processing runs at most a bounded number of messages
 * ahead of the commit point, which bounds what a crash or rebalance makes the next owner read
 * again. A handler that fails is retried with backoff rather than skipped, for the same reason; a
 * message that fails for what it holds is set aside after a few tries, so it never wedges its
 * partition for everything behind it.
 */
export class ConcurrentConsumer {
  private readonly supervisor: ConsumerSupervisor;
  private partitions = new Map<string, PartitionState>();
  private readonly inFlight = new Set<Promise<void>>();
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly handle: MessageHandler,
    private readonly options: ConcurrentConsumerOptions,
  ) {
    this.supervisor = new ConsumerSupervisor({
      build: () => this.buildConsumer(),
      start: (consumer) => this.run(consumer),
      onRestart: options.onRestart,
    });
  }

  private buildConsumer(): Consumer {
    // A short fetch wait: an idle partition's first fetch returns quickly, so start() does not stall.
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    });
    // A new generation may re-read uncommitted messages from the last commit: start fresh trackers.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.partitions = new Map();
    });
    return consumer;
  }

  /** Joins the group and starts consuming; resolves once consumption has started. */
  async start(): Promise<void> {
    // "latest" is pinned to the end offsets as they are now, before joining, and committed once
    // consuming started: whatever is produced after start() returns is consumed, even across a crash.
    const starts = this.options.initialOffset === 'latest' ? await this.uncommittedEnds() : [];
    const consumer = this.supervisor.current;
    // The first completed fetch means every assigned partition has a position: from then on nothing
    // produced is skipped, even by a new group starting at the latest offset.
    const firstFetch = new Promise<void>((resolve) => {
      const remove = consumer.on(consumer.events.FETCH, () => {
        remove();
        resolve();
      });
    });
    this.commitTimer = setInterval(() => void this.commit(), this.options.commitIntervalMs);
    await this.supervisor.start();
    for (const start of starts) consumer.seek(start);
    await Promise.race([firstFetch, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
    if (starts.length > 0) await consumer.commitOffsets(starts);
  }

  /** Connects, subscribes and runs one consumer (the first, or one replacing a crashed one). */
  private async run(consumer: Consumer): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const state = this.partition(batch.topic, batch.partition);
        for (const message of batch.messages) {
          if (this.stopping || !isRunning() || isStale()) break;
          while (state.tracker.uncommitted >= this.options.maxUncommittedPerPartition && !this.stopping) {
            await waitForRoom(state.waiters, 1000);
            // Heartbeats keep the membership while this partition waits for room.
            await heartbeat();
          }
          if (this.stopping) break;
          state.tracker.start(message.offset);
          resolveOffset(message.offset);
          this.track(this.process(state, batch.topic, batch.partition, message));
        }
      },
    });
  }

  private async uncommittedEnds(): Promise<Array<{ topic: string; partition: number; offset: string }>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const committed = await retryRetriable(() =>
        admin.fetchOffsets({ groupId: this.options.groupId, topics: [...this.options.topics] }),
      );
      const starts: Array<{ topic: string; partition: number; offset: string }> = [];
      for (const { topic, partitions } of committed) {
        const uncommitted = new Set(partitions.filter((p) => p.offset === '-1').map((p) => p.partition));
        if (uncommitted.size === 0) continue;
        for (const end of await retryRetriable(() => admin.fetchTopicOffsets(topic))) {
          if (uncommitted.has(end.partition))
            starts.push({ topic, partition: end.partition, offset: end.high });
        }
      }
      return starts;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Stops fetching, lets messages in flight finish for up to `graceMs`, commits what finished and
   * leaves the group. Messages that did not finish are read again by whoever takes the partition.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const state of this.partitions.values()) [...state.waiters].forEach((wake) => wake());
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
    ]);
    if (this.commitTimer) clearInterval(this.commitTimer);
    // Commit while still a member: once the consumer has stopped it can no longer commit.
    await this.commit();
    await this.supervisor.stop();
  }

  /** Commits every partition's finished prefix now. */
  commit(): Promise<void> {
    this.committing = this.committing.then(async () => {
      const offsets = [...this.partitions.entries()]
        .map(([key, state]) => ({ key, offset: state.tracker.takeCommit() }))
        .filter((entry): entry is { key: string; offset: string } => entry.offset !== undefined)
        .map(({ key, offset }) => {
          const split = key.lastIndexOf(':');
          return { topic: key.slice(0, split), partition: Number(key.slice(split + 1)), offset };
        });
      if (offsets.length === 0) return;
      try {
        await this.supervisor.current.commitOffsets(offsets);
      } catch (error) {
        // A rebalance took the partitions away, or the broker is unreachable: their messages are
        // read again by whoever owns them next, and the claims on the delivery rows keep anything
        // already made from being sent again.
        this.options.onCommitError(error);
      }
    });
    return this.committing;
  }

  private partition(topic: string, partition: number): PartitionState {
    const key = `${topic}:${partition}`;
    let state = this.partitions.get(key);
    if (!state) {
      state = { tracker: new OffsetTracker(), waiters: [] };
      this.partitions.set(key, state);
    }
    return state;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async process(
    state: PartitionState,
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<void> {
    let poisonFailures = 0;
    for (let failures = 0; ; failures += 1) {
      try {
        await this.handle(topic, partition, message);
        state.tracker.finish(message.offset);
        state.waiters[0]?.();
        return;
      } catch (error) {
        this.options.onHandlerError(error, topic, partition, message.offset);
        if (this.options.isPoison(error)) poisonFailures += 1;
        if (poisonFailures >= this.options.maxPoisonTries) {
          const set = await this.options
            .setAside(topic, partition, message, describe(error))
            .then(() => true)
            .catch((setAsideError: unknown) => {
              this.options.onHandlerError(setAsideError, topic, partition, message.offset);
              return false;
            });
          if (set) {
            state.tracker.finish(message.offset);
            state.waiters[0]?.();
            return;
          }
        }
        if (this.stopping) return;
        await new Promise((resolve) =>
          setTimeout(resolve, RETRY_BACKOFF_MS[Math.min(failures, RETRY_BACKOFF_MS.length - 1)]),
        );
        if (this.stopping) return;
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Waits until a finishing message wakes this waiter, or `timeoutMs` passes. */
function waitForRoom(waiters: Array<() => void>, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const wake = (): void => {
      clearTimeout(timer);
      const index = waiters.indexOf(wake);
      if (index >= 0) waiters.splice(index, 1);
      resolve();
    };
    const timer = setTimeout(wake, timeoutMs);
    waiters.push(wake);
  });
}
