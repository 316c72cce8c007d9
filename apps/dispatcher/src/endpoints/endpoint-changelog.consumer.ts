import { randomUUID } from 'node:crypto';
import { decodeEndpointChange, type EndpointSnapshot, SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { ConsumerSupervisor, retryRetriable } from '@hookline/kafka';
import type { OpenedEndpointSnapshot } from '@hookline/persistence';
import type { Consumer, Kafka } from 'kafkajs';
import type { EndpointView } from './endpoint-view';

/**
 * Keeps the endpoint view in step with the subscription changelog. Every dispatcher reads the whole
 * compacted topic from the start under a group of its own (nothing is committed), so each instance
 * holds every endpoint; `ready` resolves once it has read up to where the topic stood at start-up,
 * and events are not consumed before that, so no delivery is missed for want of an endpoint.
 *
 * Each record's sealed secrets and header values are opened here, once, and the view holds them
 * opened. A record whose values do not open (a key missing from the keyring, an altered value) is
 * reported and not applied: the view keeps the version it holds, so deliveries go on as before.
 */
export class EndpointChangelogConsumer {
  private readonly supervisor: ConsumerSupervisor;
  // Per partition, the offset after the last record applied: a consumer replacing a crashed one
  // goes on from there instead of replaying older versions of endpoints into the view.
  private readonly next = new Map<number, string>();
  // Per partition, the offset of the last record present at start-up, until it has been applied.
  private readonly remaining = new Map<number, bigint>();
  private caughtUp!: () => void;
  /** Resolves once the view holds everything the changelog held at start-up. */
  readonly ready = new Promise<void>((resolve) => (this.caughtUp = resolve));
  private isReady = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly view: EndpointView,
    private readonly open: (snapshot: EndpointSnapshot) => OpenedEndpointSnapshot,
    private readonly onInvalid: (message: string) => void,
    private readonly onRemoved: (endpointId: string) => void = () => undefined,
    onRestart: (reason: string, delayMs: number) => void = () => undefined,
  ) {
    const groupId = `hookline-dispatcher-view-${randomUUID()}`;
    this.supervisor = new ConsumerSupervisor({
      build: () => kafka.consumer({ groupId, allowAutoTopicCreation: false }),
      start: (consumer) => this.run(consumer),
      onRestart,
    });
  }

  /** Whether the view has caught up with the changelog. */
  get caughtUpWithChangelog(): boolean {
    return this.isReady;
  }

  /** Starts reading; `ready` tells when the view is complete. */
  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const offsets = await retryRetriable(() => admin.fetchTopicOffsets(SUBSCRIPTION_CHANGELOG_TOPIC)).finally(
      () => admin.disconnect(),
    );
    for (const o of offsets)
      if (BigInt(o.high) > BigInt(o.low)) this.remaining.set(o.partition, BigInt(o.high) - 1n);
    this.markReadyIfCaughtUp();
    await this.supervisor.start();
  }

  private applied(partition: number, offset: string): void {
    this.next.set(partition, (BigInt(offset) + 1n).toString());
    const last = this.remaining.get(partition);
    if (last !== undefined && BigInt(offset) >= last) {
      this.remaining.delete(partition);
      this.markReadyIfCaughtUp();
    }
  }

  private markReadyIfCaughtUp(): void {
    if (!this.isReady && this.remaining.size === 0) {
      this.isReady = true;
      this.caughtUp();
    }
  }

  private async run(consumer: Consumer): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topic: SUBSCRIPTION_CHANGELOG_TOPIC, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const key = message.key?.toString('utf8') ?? '';
        const decoded = decodeEndpointChange(key, message.value);
        if (!decoded.ok)
          this.onInvalid(`changelog record ${partition}@${message.offset}: ${decoded.message}`);
        else if (decoded.change.kind === 'upsert')
          this.apply(decoded.change.endpoint, partition, message.offset);
        else {
          this.view.remove(decoded.change.endpointId);
          this.onRemoved(decoded.change.endpointId);
        }
        this.applied(partition, message.offset);
      },
    });
    for (const [partition, offset] of this.next)
      consumer.seek({ topic: SUBSCRIPTION_CHANGELOG_TOPIC, partition, offset });
  }

  private apply(snapshot: EndpointSnapshot, partition: number, offset: string): void {
    let opened: OpenedEndpointSnapshot;
    try {
      opened = this.open(snapshot);
    } catch (error) {
      this.onInvalid(
        `changelog record ${partition}@${offset}: the secrets of ${snapshot.id} v${snapshot.version} do not open ` +
          `(${(error as Error).message}); the view keeps the version it holds`,
      );
      return;
    }
    this.view.upsert(opened);
  }

  /** Stops reading. */
  async stop(): Promise<void> {
    await this.supervisor.stop();
  }
}
