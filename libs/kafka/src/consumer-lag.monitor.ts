import type { Admin, Kafka } from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';

/** Settings of a lag monitor. */
export interface ConsumerLagMonitorOptions {
  /** The consumer group whose lag is measured. */
  readonly groupId: string;
  /** Topics the group consumes. */
  readonly topics: readonly string[];
  /** How often lag is measured. */
  readonly intervalMs: number;
}

/**
 * Publishes `hookline_consumer_lag{topic,group}`: messages not yet committed by the group, summed
 * over each topic's partitions (a partition the group never committed counts from its start). Read
 * from the brokers, so every instance of a service reports the group's lag, not its own share.
 */
export class ConsumerLagMonitor {
  private readonly gauge: Gauge<'topic' | 'group'>;
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    registry: Registry,
    private readonly options: ConsumerLagMonitorOptions,
  ) {
    const existing = registry.getSingleMetric('hookline_consumer_lag') as
      Gauge<'topic' | 'group'> | undefined;
    this.gauge =
      existing ??
      new Gauge({
        name: 'hookline_consumer_lag',
        help: 'Messages of a topic not yet committed by the consumer group.',
        labelNames: ['topic', 'group'],
        registers: [registry],
      });
  }

  /** Starts measuring in the background. */
  start(): void {
    const tick = () => {
      this.running = this.running.then(() => this.measure()).catch(() => undefined);
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
  }

  /** Measures once; exposed for tests and for a first reading at start. */
  async measure(): Promise<void> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    const committed = await this.admin.fetchOffsets({
      groupId: this.options.groupId,
      topics: [...this.options.topics],
    });
    for (const { topic, partitions } of committed) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      let lag = 0n;
      for (const end of ends) {
        const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const from = done === '-1' ? BigInt(end.low) : BigInt(done);
        const behind = BigInt(end.high) - from;
        if (behind > 0n) lag += behind;
      }
      this.gauge.set({ topic, group: this.options.groupId }, Number(lag));
    }
  }

  /** Stops measuring. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.admin?.disconnect();
  }
}
