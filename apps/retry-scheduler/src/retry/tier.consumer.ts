import { ConsumerSupervisor } from '@hookline/kafka';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Releaser } from './delivery.handoff';
import { planRelease } from './release-plan';

/** Settings of the tier consumer. */
export interface TierConsumerOptions {
  readonly groupId: string;
  /** The tier topics of the schedule. */
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts: the oldest parked task, or only new ones. */
  readonly initialOffset: 'earliest' | 'latest';
  /** Tier partitions handled at once. */
  readonly partitionsConcurrently: number;
  /** How long the group waits for a silent member before giving its partitions to another. */
  readonly sessionTimeoutMs: number;
  /** Told when a hand-off failed; the partition waits a little and tries again. */
  readonly onReleaseError: (error: unknown, topic: string, partition: number) => void;
  /** Told when the client gave up after a crash and a new consumer is about to replace it. */
  readonly onRestart: (reason: string, delayMs: number) => void;
  readonly now?: () => number;
}

// Tasks handed on per produce request at most, so one request stays well under the broker's size limit.
const MAX_RELEASE_BATCH = 500;
// A fetch already waiting at the broker holds back a partition resumed meanwhile: this bounds how
// late a due task can be fetched again, for a few idle fetch requests a second.
const FETCH_WAIT_MS = 250;
// Node timers hold at most 2^31-1 ms; a longer wait is simply re-armed when it ends.
const MAX_TIMER_MS = 2_147_483_647;
const RELEASE_BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

/**
 * Consumes the retry tiers. Each partition is looked at from its head: every task already due is
 * handed back to the dispatcher, and the offset is committed only once that hand-off is
 * acknowledged, so a crash or rebalance repeats at most the hand-off in flight and loses nothing.
 * When the head is not yet due the partition is paused, a timer resumes it at the due time, and the
 * head is fetched again then: no polling, no handler blocked waiting, so heartbeats go on and a
 * rebalance is never held up. A tier has one fixed delay, so its head is always the next task due.
 */
export class TierConsumer {
  private readonly supervisor: ConsumerSupervisor;
  private readonly wakeups = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private readonly now: () => number;
  private stopping = false;

  constructor(
    kafka: Kafka,
    private readonly releaser: Releaser,
    private readonly options: TierConsumerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.supervisor = new ConsumerSupervisor({
      build: () =>
        kafka.consumer({
          groupId: options.groupId,
          allowAutoTopicCreation: false,
          maxWaitTimeInMs: FETCH_WAIT_MS,
          sessionTimeout: options.sessionTimeoutMs,
        }),
      start: (consumer) => this.run(consumer),
      onRestart: options.onRestart,
    });
  }

  /** Joins the group and starts consuming; resolves once every assigned partition has a position. */
  async start(): Promise<void> {
    const consumer = this.supervisor.current;
    // After the first completed fetch every assigned partition has a position, so nothing parked
    // from then on is skipped, even by a new group starting at the latest offset.
    const firstFetch = new Promise<void>((resolve) => {
      const remove = consumer.on(consumer.events.FETCH, () => {
        remove();
        resolve();
      });
    });
    await this.supervisor.start();
    await Promise.race([firstFetch, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
  }

  /** Connects, subscribes and runs one consumer (the first, or one replacing a crashed one). */
  private async run(consumer: Consumer): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.initialOffset === 'earliest',
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /** Stops consuming and leaves the group; tasks not handed on stay on their tier for the next owner. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.wakeups.values()) clearTimeout(timer);
    this.wakeups.clear();
    await this.supervisor.stop();
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    let messages = batch.messages;
    while (messages.length > 0) {
      if (this.stopping || !isRunning() || isStale()) return;
      const plan = planRelease(messages.slice(0, MAX_RELEASE_BATCH), this.now());
      if (plan.release.length > 0) {
        try {
          await this.releaser.release(topic, partition, plan.release);
        } catch (error) {
          // Nothing was resolved, so the same messages are fetched again after the pause.
          this.options.onReleaseError(error, topic, partition);
          const failures = this.failures.get(`${topic}:${partition}`) ?? 0;
          this.failures.set(`${topic}:${partition}`, failures + 1);
          const backoff = RELEASE_BACKOFF_MS[Math.min(failures, RELEASE_BACKOFF_MS.length - 1)];
          this.sleep(payload, this.now() + backoff);
          return;
        }
        this.failures.delete(`${topic}:${partition}`);
        const last = plan.release[plan.release.length - 1].offset;
        resolveOffset(last);
        await this.supervisor.current.commitOffsets([
          { topic, partition, offset: (BigInt(last) + 1n).toString() },
        ]);
        await heartbeat();
      }
      if (plan.waitUntil !== undefined) {
        this.sleep(payload, plan.waitUntil);
        return;
      }
      messages = messages.slice(plan.release.length);
    }
  }

  /**
   * Pauses the batch's partition until `until`. The unresolved head is fetched again on resume. The
   * pause is re-applied on every not-yet-due fetch (not only remembered here) because the consumer
   * forgets pauses when it restarts after a crash.
   */
  private sleep(payload: EachBatchPayload, until: number): void {
    const { topic, partition } = payload.batch;
    const key = `${topic}:${partition}`;
    payload.pause();
    const previous = this.wakeups.get(key);
    if (previous) clearTimeout(previous);
    // One millisecond more: timers round, and waking early would only pause again.
    const delay = Math.min(Math.max(0, until - this.now()) + 1, MAX_TIMER_MS);
    const timer = setTimeout(() => {
      this.wakeups.delete(key);
      if (this.stopping) return;
      try {
        this.supervisor.current.resume([{ topic, partitions: [partition] }]);
      } catch {
        // The consumer is restarting: its new member starts unpaused and fetches the head anyway.
      }
    }, delay);
    timer.unref();
    this.wakeups.set(key, timer);
  }
}
