import { ConsumerLagMonitor, createKafka } from '@hookline/kafka';
import type { LoggerService } from '@nestjs/common';
import { BatchingAttemptRecorder, BatchingEventRecorder, createDataSource } from '@hookline/persistence';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { DispatcherConfig } from './config';
import { ConcurrentConsumer } from './consume/concurrent-consumer';
import { DeliveryConsumer, dispatcherTopics } from './consume/delivery.consumer';
import { AddressGuard } from './delivery/address-guard';
import { HttpSender } from './delivery/http-sender';
import { DeliverAttempt } from './dispatch/deliver-attempt.usecase';
import { DispatchEvent } from './dispatch/dispatch-event.usecase';
import { DispatchTask } from './dispatch/dispatch-task.usecase';
import { DispatcherMetrics } from './dispatch/dispatcher.metrics';
import { EndpointDisabler } from './dispatch/endpoint-disabler';
import { type BreakerState, EndpointGates } from './dispatch/endpoint-gates';
import { RetryHandoff } from './dispatch/retry-handoff';
import { EndpointChangelogConsumer } from './endpoints/endpoint-changelog.consumer';
import { EndpointView } from './endpoints/endpoint-view';
import { UndeliveredAgeMonitor } from './monitoring/undelivered-age.monitor';

/**
 * Builds the dispatcher from its parts and runs it: the endpoint view first (so no event is
 * matched against an incomplete view), then the delivery consumer. Stopping reverses that, letting
 * deliveries in flight finish within the grace period.
 */
export class DispatcherRuntime {
  readonly view = new EndpointView();
  private readonly kafka: Kafka;
  private started?: {
    dataSource: DataSource;
    producer: Producer;
    changelog: EndpointChangelogConsumer;
    consumer: ConcurrentConsumer;
    sender: HttpSender;
    gates: EndpointGates;
    attempts: BatchingAttemptRecorder;
    events: BatchingEventRecorder;
    monitors: Array<{ start(): void; stop(): Promise<void> }>;
    retries: RetryHandoff;
  };
  private changelog?: EndpointChangelogConsumer;

  constructor(private readonly config: DispatcherConfig) {
    this.kafka = createKafka(config.kafka);
  }

  /** Readiness: the endpoint view has caught up with the changelog. */
  async checkViewReady(): Promise<void> {
    if (!this.changelog?.caughtUpWithChangelog)
      throw new Error('the endpoint view is still loading the changelog');
  }

  /** The circuit breaker state of one endpoint, when this dispatcher has delivered to it. */
  breakerState(endpointId: string): BreakerState | undefined {
    return this.started?.gates.stateOf(endpointId);
  }

  /** Connects everything and starts consuming. */
  async start(registry: Registry, logger: LoggerService): Promise<void> {
    const { config } = this;
    const settings = config.delivery;
    const metrics = new DispatcherMetrics(registry);
    const dataSource = createDataSource(config.database);
    await dataSource.initialize();
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
    const gates = new EndpointGates(
      {
        maxInFlight: settings.maxInFlightPerEndpoint,
        maxQueued: settings.maxQueuedPerEndpoint,
        maxQueueWaitMs: settings.maxQueueWaitMs,
        breaker: settings.breaker,
      },
      (endpointId, from, to) => {
        metrics.breakerChanged(from, to);
        if (from && to) logger.log(`circuit breaker of ${endpointId}: ${from} -> ${to}`);
      },
    );
    const changelog = new EndpointChangelogConsumer(
      this.kafka,
      this.view,
      (message) => logger.warn(message),
      (endpointId) => gates.drop(endpointId),
      (reason, delayMs) =>
        logger.warn(`endpoint changelog consumer stopped (${reason}); starting a new one in ${delayMs} ms`),
    );
    this.changelog = changelog;
    const sender = new HttpSender({
      guard: new AddressGuard(settings.allowedCidrs),
      allowHttp: settings.allowHttp,
      connectionsPerOrigin: settings.connectionsPerOrigin,
      keepAliveMs: settings.keepAliveMs,
      responseExcerptBytes: settings.responseExcerptBytes,
    });
    const recordOptions = (table: string) => ({
      maxBatchRows: settings.recordBatchRows,
      flushIntervalMs: settings.recordFlushMs,
      onBatchWritten: (_rows: number, seconds: number) =>
        metrics.recordBatchDuration.observe({ table }, seconds),
    });
    const attempts = new BatchingAttemptRecorder(dataSource, recordOptions('delivery_attempts'));
    const events = new BatchingEventRecorder(dataSource, recordOptions('events'));
    const retries = new RetryHandoff(producer, dataSource, metrics);
    const deliver = new DeliverAttempt(
      sender,
      gates,
      attempts,
      retries,
      new EndpointDisabler(dataSource, producer, this.view, metrics),
      config.preset,
      { maxRetryAfterMs: settings.maxRetryAfterMs, deferDelayMs: settings.deferDelayMs },
      metrics,
    );
    const deliveries = new DeliveryConsumer(
      new DispatchEvent(this.view, events, deliver),
      new DispatchTask(this.view, dataSource, deliver, metrics),
      producer,
      metrics,
    );
    const consumer = new ConcurrentConsumer(this.kafka, deliveries.handle, {
      groupId: config.groupId,
      initialOffset: config.initialOffset,
      topics: dispatcherTopics(),
      maxInFlightPerPartition: settings.maxInFlightPerPartition,
      commitIntervalMs: settings.commitIntervalMs,
      onHandlerError: (error, topic, partition, offset) =>
        logger.error(
          `handling ${topic}/${partition}@${offset} failed, will retry: ${(error as Error).message}`,
        ),
      onRestart: (reason, delayMs) =>
        logger.warn(`delivery consumer stopped (${reason}); starting a new one in ${delayMs} ms`),
    });
    const monitors = [
      new ConsumerLagMonitor(this.kafka, registry, {
        groupId: config.groupId,
        topics: dispatcherTopics(),
        intervalMs: 15_000,
      }),
      new UndeliveredAgeMonitor(dataSource, registry, 15_000),
    ];
    this.started = {
      dataSource,
      producer,
      changelog,
      consumer,
      sender,
      gates,
      attempts,
      events,
      monitors,
      retries,
    };
    try {
      await changelog.start();
      await changelog.ready;
      logger.log(`endpoint view loaded (${this.view.size} endpoints)`);
      await consumer.start();
      for (const monitor of monitors) monitor.start();
    } catch (error) {
      // A half-started dispatcher must not keep connections open behind a failed boot.
      await this.stop(0).catch(() => undefined);
      throw error;
    }
  }

  /** Stops consuming, lets in-flight deliveries finish within `graceMs`, and closes connections. */
  async stop(graceMs: number): Promise<void> {
    const started = this.started;
    if (!started) return;
    this.started = undefined;
    await Promise.all(started.monitors.map((monitor) => monitor.stop()));
    await started.consumer.stop(Math.max(0, graceMs - 2000)).catch(() => undefined);
    await started.changelog.stop().catch(() => undefined);
    await Promise.allSettled([started.attempts.close(), started.events.close(), started.retries.close()]);
    started.gates.shutdown();
    await started.sender.close();
    await started.producer.disconnect();
    await started.dataSource.destroy();
  }
}
