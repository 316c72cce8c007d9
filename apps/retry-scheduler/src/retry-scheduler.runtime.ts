import { delayLabel, retryTierTopic } from '@hookline/events';
import { ConsumerLagMonitor, createKafka, renewingProducer } from '@hookline/kafka';
import { createDataSource, disableEndpoint } from '@hookline/persistence';
import { retryTiers } from '@hookline/presets';
import type { LoggerService } from '@nestjs/common';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { RetrySchedulerConfig } from './config';
import { SustainedFailureSweep } from './endpoints/sustained-failure.sweep';
import { DeliveryHandoff } from './retry/delivery.handoff';
import { RetrySchedulerMetrics } from './retry/retry-scheduler.metrics';
import { StalledDeliverySweep } from './retry/stalled-delivery.sweep';
import { TierConsumer } from './retry/tier.consumer';
import { EndpointStatsRetentionSweep } from './stats/endpoint-stats-retention.sweep';
import { RecordRetentionSweep } from './retention/record-retention.sweep';
import { RetentionMetrics } from './retention/retention.metrics';

/** The tier topics of a schedule, with their labels (`hookline.retry.5m` → `5m`). */
export function tierTopics(config: RetrySchedulerConfig): Map<string, string> {
  return new Map(
    retryTiers(config.preset.retry).map((delayMs) => [retryTierTopic(delayMs), delayLabel(delayMs)]),
  );
}

/**
 * Builds the retry scheduler from its parts and runs it: the tier consumer that hands due retries
 * back to the dispatcher, the sweep that disables endpoints failing for days, the sweep that queues
 * stalled deliveries again, the sweep that keeps endpoint statistics to their retention, and the
 * tier backlog gauge. Stopping reverses that.
 */
export class RetrySchedulerRuntime {
  private readonly kafka: Kafka;
  private started?: {
    dataSource: DataSource;
    producer: Producer;
    tiers: TierConsumer;
    sweep?: SustainedFailureSweep;
    stalled: StalledDeliverySweep;
    statsRetention: EndpointStatsRetentionSweep;
    retention: RecordRetentionSweep;
    backlog: ConsumerLagMonitor;
  };

  constructor(private readonly config: RetrySchedulerConfig) {
    this.kafka = createKafka(config.kafka);
  }

  /** Connects everything and starts consuming the tiers. */
  async start(registry: Registry, logger: LoggerService): Promise<void> {
    const { config } = this;
    const metrics = new RetrySchedulerMetrics(registry);
    const dataSource = createDataSource(config.database);
    await dataSource.initialize();
    // Renews itself when a restarted broker lost its producer state (see renewingProducer).
    const producer = renewingProducer(
      this.kafka,
      {
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      },
      (error) =>
        logger.warn(`Kafka lost this producer's state (${(error as Error).message}); using a new producer`),
    );
    await producer.connect();
    const labels = tierTopics(config);
    const tiers = new TierConsumer(this.kafka, new DeliveryHandoff(producer, metrics, labels), {
      groupId: config.groupId,
      topics: [...labels.keys()],
      initialOffset: config.initialOffset,
      partitionsConcurrently: config.partitionsConcurrently,
      sessionTimeoutMs: config.sessionTimeoutMs,
      onReleaseError: (error, topic, partition) =>
        logger.error(
          `handing on due retries of ${topic}/${partition} failed, will retry: ${(error as Error).message}`,
        ),
      onRestart: (reason, delayMs) =>
        logger.warn(`retry tier consumer stopped (${reason}); starting a new one in ${delayMs} ms`),
    });
    const backlog = new ConsumerLagMonitor(this.kafka, registry, {
      groupId: config.groupId,
      topics: [...labels.keys()],
      intervalMs: config.backlogIntervalMs,
    });
    const auto = config.autoDisable;
    const sweep = auto.enabled
      ? new SustainedFailureSweep(
          dataSource,
          (endpointId, reason) => disableEndpoint(dataSource, producer, endpointId, reason),
          auto,
          auto.sweepIntervalMs,
          metrics,
          {
            log: (message) => logger.log(message),
            error: (message) => logger.error(message),
          },
        )
      : undefined;
    const stalled = new StalledDeliverySweep(
      dataSource,
      producer,
      { graceMs: config.stalled.graceMs, batchSize: config.stalled.batchSize },
      config.stalled.sweepIntervalMs,
      metrics,
      { log: (message) => logger.warn(message), error: (message) => logger.error(message) },
    );
    const statsRetention = new EndpointStatsRetentionSweep(
      dataSource,
      config.endpointStats.retentionMs,
      config.endpointStats.sweepIntervalMs,
      { log: (message) => logger.log(message), error: (message) => logger.error(message) },
    );
    const retention = new RecordRetentionSweep(
      dataSource,
      config.retention,
      config.retention.sweepIntervalMs,
      new RetentionMetrics(registry),
      { log: (message) => logger.log(message), error: (message) => logger.error(message) },
    );
    this.started = {
      dataSource,
      retention,
      producer,
      tiers,
      backlog,
      stalled,
      statsRetention,
      ...(sweep ? { sweep } : {}),
    };
    await tiers.start();
    logger.log(`consuming retry tiers ${[...labels.values()].join(', ')}`);
    backlog.start();
    sweep?.start();
    stalled.start();
    statsRetention.start();
    retention.start();
  }

  /** Stops consuming and sweeping, and closes connections. */
  async stop(): Promise<void> {
    const started = this.started;
    if (!started) return;
    this.started = undefined;
    await started.sweep?.stop();
    await started.stalled.stop();
    await started.statsRetention.stop();
    await started.retention.stop();
    await started.backlog.stop();
    await started.tiers.stop();
    await started.producer.disconnect();
    await started.dataSource.destroy();
  }
}
