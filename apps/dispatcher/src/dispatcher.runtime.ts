import { AddressPolicy, describeAddressClass } from '@hookline/egress';
import { ConsumerLagMonitor, createKafka, renewingProducer } from '@hookline/kafka';
import type { LoggerService } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { EndpointSnapshot } from '@hookline/events';
import {
  BatchingAttemptRecorder,
  BreakerStateReporter,
  createDataSource,
  DeliveryClaims,
  type OpenedEndpointSnapshot,
  openEndpointSnapshot,
} from '@hookline/persistence';
import { DEVELOPMENT_KEY_WARNING, SecretSealer } from '@hookline/sealing';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { DispatcherConfig } from './config';
import { ConcurrentConsumer } from './consume/concurrent-consumer';
import { DeliveryConsumer, dispatcherTopics, isPoisonFailure } from './consume/delivery.consumer';
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

// Added to an attempt's longest duration to make its claim's lease.
const CLAIM_MARGIN_MS = 15_000;
// Failures for what a message holds before it is set aside; one more try covers a coincidence.
const MAX_POISON_TRIES = 3;
// How long a reported breaker state counts without this process keeping it alive (it does, at a third).
const BREAKER_REPORT_TTL_MS = 90_000;

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
    breakerReports: BreakerStateReporter;
    attempts: BatchingAttemptRecorder;
    claims: DeliveryClaims;
    deliver: DeliverAttempt;
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
    // A broker restarted without its producer state refuses this producer's numbering for good:
    // the producer then renews itself (a new id) and the failed send is tried again as any is.
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
    try {
      await producer.connect();
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
    // A restarted process is a new owner: its predecessor's claims are honoured until they run out.
    const owner = `dispatcher-${randomBytes(6).toString('hex')}`;
    // Breaker transitions are rare; the API shows them from this table, written in the background.
    const breakerReports = new BreakerStateReporter(dataSource, {
      owner,
      ttlMs: BREAKER_REPORT_TTL_MS,
      onError: (error) =>
        logger.warn(`recording a circuit breaker state failed: ${(error as Error).message}`),
    });
    const gates = new EndpointGates(
      {
        maxInFlight: settings.maxInFlightPerEndpoint,
        maxQueued: settings.maxQueuedPerEndpoint,
        maxQueueWaitMs: settings.maxQueueWaitMs,
        breaker: settings.breaker,
      },
      (endpointId, from, to, reason) => {
        metrics.breakerChanged(from, to);
        if (from && to) {
          logger.log(`circuit breaker of ${endpointId}: ${from} -> ${to}${reason ? ` (${reason})` : ''}`);
          breakerReports.report(
            endpointId,
            to === 'half-open' ? 'half_open' : to,
            new Date(),
            reason ?? null,
          );
        } else if (!to) {
          breakerReports.forget(endpointId);
        }
      },
    );
    if (config.secretKeys.development) logger.warn(DEVELOPMENT_KEY_WARNING);
    const sealer = new SecretSealer(config.secretKeys);
    // Endpoints whose latest record still holds plaintext (written before sealing), for one warning.
    const plaintext = new Set<string>();
    const open = (snapshot: EndpointSnapshot): OpenedEndpointSnapshot => {
      const opened = openEndpointSnapshot(sealer, snapshot);
      if (opened.legacyPlaintext) plaintext.add(snapshot.id);
      else plaintext.delete(snapshot.id);
      return opened;
    };
    const changelog = new EndpointChangelogConsumer(
      this.kafka,
      this.view,
      open,
      (message) => logger.warn(message),
      (endpointId) => gates.drop(endpointId),
      (reason, delayMs) =>
        logger.warn(`endpoint changelog consumer stopped (${reason}); starting a new one in ${delayMs} ms`),
    );
    this.changelog = changelog;
    const sender = new HttpSender({
      guard: new AddressPolicy(settings.allowedCidrs),
      // The operator may see the address; the delivery log shows the tenant only its class.
      onRefused: ({ host, address, addressClass }) =>
        logger.warn(
          `refused to connect to ${host === address ? address : `${host} at ${address}`} (${describeAddressClass(addressClass)})`,
        ),
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
    const attempts = new BatchingAttemptRecorder(dataSource, {
      ...recordOptions('delivery_attempts'),
      owner,
    });
    const claims = new DeliveryClaims(dataSource, {
      ...recordOptions('events'),
      owner,
      // Longer than an attempt can take: its wait for a slot, the request, and time to record it.
      leaseMs: config.preset.attemptTimeoutMs + settings.maxQueueWaitMs + CLAIM_MARGIN_MS,
    });
    const retries = new RetryHandoff(producer, dataSource, metrics);
    const deliver = new DeliverAttempt(
      sender,
      gates,
      attempts,
      retries,
      new EndpointDisabler(dataSource, producer, this.view, open, metrics),
      config.preset,
      {
        maxRetryAfterMs: settings.maxRetryAfterMs,
        onSettleError: (error, request) =>
          logger.warn(
            `recording attempt ${request.attempt} of ${request.deliveryId} failed, trying again (the request is not sent again): ${(error as Error).message}`,
          ),
      },
      metrics,
    );
    const deliveries = new DeliveryConsumer(
      new DispatchEvent(this.view, claims, deliver, metrics),
      new DispatchTask(this.view, dataSource, open, claims, deliver, metrics),
      producer,
      metrics,
    );
    const consumer = new ConcurrentConsumer(this.kafka, deliveries.handle, {
      groupId: config.groupId,
      initialOffset: config.initialOffset,
      topics: dispatcherTopics(),
      maxUncommittedPerPartition: settings.maxUncommittedPerPartition,
      commitIntervalMs: settings.commitIntervalMs,
      isPoison: isPoisonFailure,
      maxPoisonTries: MAX_POISON_TRIES,
      setAside: (topic, partition, message, reason) => {
        logger.error(`setting ${topic}/${partition}@${message.offset} aside: ${reason}`);
        return deliveries.setAsidePoison(topic, partition, message, reason);
      },
      onCommitError: (error) => logger.warn(`committing offsets failed: ${(error as Error).message}`),
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
      breakerReports,
      attempts,
      claims,
      deliver,
      monitors,
      retries,
    };
    try {
      await changelog.start();
      await changelog.ready;
      logger.log(`endpoint view loaded (${this.view.size} endpoints)`);
      if (plaintext.size > 0)
        logger.warn(
          `${plaintext.size} endpoint(s) still hold signing secrets or header values in plaintext; ` +
            'seal them with `npm run secrets -- seal` (deploy/README.md)',
        );
      await consumer.start();
      for (const monitor of monitors) monitor.start();
      breakerReports.start();
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
    const consumerStopped = started.consumer.stop(Math.max(0, graceMs - 2000)).catch(() => undefined);
    // Durable steps still retrying when the grace runs out give up; their messages are read again.
    const giveUp = setTimeout(() => started.deliver.stop(), Math.max(0, graceMs - 3000));
    await consumerStopped;
    clearTimeout(giveUp);
    started.deliver.stop();
    await started.changelog.stop().catch(() => undefined);
    await Promise.allSettled([started.attempts.close(), started.claims.close(), started.retries.close()]);
    started.gates.shutdown();
    await started.breakerReports.stop();
    await started.sender.close();
    await started.producer.disconnect();
    await started.dataSource.destroy();
  }
}
