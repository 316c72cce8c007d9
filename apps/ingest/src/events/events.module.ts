import { createDataSource } from '@hookline/persistence';
import { METRICS_REGISTRY } from '@hookline/observability';
import {
  ApiKeyAuthenticator,
  ApiKeyUsageRecorder,
  AuthFailureBrake,
  createApiKeyUsageRecorder,
  TrustedProxies,
} from '@hookline/tenancy';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { IngestConfig } from '../config';
import { ApiErrorFilter } from '../http/api-error.filter';
import { rawBodyParserProvider } from '../http/raw-body.parser';
import { IdempotencyStore } from '../idempotency/idempotency.store';
import { createIngestKafka } from '../kafka/ingest-kafka.client';
import { KafkaMessagePublisher } from '../kafka/kafka-message.publisher';
import { MESSAGE_PUBLISHER } from '../kafka/message.publisher';
import { TenantDirectory } from '../tenancy/tenant.directory';
import { EventLogForwarder } from './event-log.forwarder';
import { EventsController } from './events.controller';
import {
  API_KEY_AUTHENTICATOR,
  API_KEY_USAGE,
  EVENT_LOG_UPSTREAM,
  INGEST_EVENTS,
  INGEST_METRICS,
  KAFKA,
  TRUSTED_PROXIES,
} from './events.tokens';
import { IngestConsumer } from './ingest.consumer';
import { IngestEvents } from './ingest-events.usecase';
import { IngestLifecycle } from './ingest.lifecycle';
import { IngestMetrics } from './ingest.metrics';

/**
 * Event intake: the HTTP endpoint and the ingest-topic consumer, both in front of one use case that
 * validates, deduplicates and publishes.
 */
@Module({})
export class EventsModule {
  /** Wires intake from the validated configuration. */
  static forRoot(config: IngestConfig): DynamicModule {
    return {
      module: EventsModule,
      controllers: [EventsController, EventLogForwarder],
      providers: [
        { provide: EVENT_LOG_UPSTREAM, useValue: config.eventLogUpstream },
        rawBodyParserProvider(config.intake.maxBodyBytes),
        { provide: APP_FILTER, useFactory: () => new ApiErrorFilter(config.intake.maxBodyBytes) },
        {
          provide: DataSource,
          useFactory: async () => {
            const dataSource = createDataSource(config.database);
            await dataSource.initialize();
            return dataSource;
          },
        },
        { provide: KAFKA, useFactory: () => createIngestKafka(config.kafka) },
        {
          provide: MESSAGE_PUBLISHER,
          inject: [KAFKA],
          useFactory: (kafka: Kafka) =>
            new KafkaMessagePublisher(kafka, {
              onProducerRenewed: (error) =>
                new Logger('KafkaMessagePublisher').warn(
                  `Kafka lost this producer's state (${(error as Error).message}); using a new producer`,
                ),
            }),
        },
        {
          provide: INGEST_METRICS,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => new IngestMetrics(registry),
        },
        {
          provide: IdempotencyStore,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new IdempotencyStore(dataSource, {
              ttlMs: config.intake.idempotencyTtlMs,
              waitMs: config.intake.idempotencyWaitMs,
              leaseMs: config.intake.idempotencyLeaseMs,
            }),
        },
        {
          provide: INGEST_EVENTS,
          inject: [MESSAGE_PUBLISHER, IdempotencyStore, INGEST_METRICS],
          useFactory: (
            publisher: KafkaMessagePublisher,
            idempotency: IdempotencyStore,
            metrics: IngestMetrics,
          ) => {
            const logger = new Logger('IngestEvents');
            return new IngestEvents(
              {
                maxBatch: config.intake.maxBatch,
                createdFormat: config.preset.createdFormat,
                apiVersion: config.preset.apiVersion,
              },
              { publisher, idempotency, metrics, warn: (message) => logger.warn(message) },
            );
          },
        },
        { provide: TRUSTED_PROXIES, useValue: new TrustedProxies(config.auth.trustedProxies) },
        {
          provide: API_KEY_USAGE,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => {
            const logger = new Logger('ApiKeyUsage');
            return createApiKeyUsageRecorder(dataSource, config.auth, (message) => logger.warn(message));
          },
        },
        {
          provide: API_KEY_AUTHENTICATOR,
          inject: [DataSource, API_KEY_USAGE],
          useFactory: (dataSource: DataSource, usage: ApiKeyUsageRecorder) =>
            new ApiKeyAuthenticator(dataSource, {
              cacheTtlMs: config.auth.cacheTtlMs,
              brake: new AuthFailureBrake(config.auth.brake),
              usage,
            }),
        },
        {
          provide: IngestConsumer,
          inject: [KAFKA, INGEST_EVENTS, DataSource, MESSAGE_PUBLISHER, INGEST_METRICS],
          useFactory: (
            kafka: Kafka,
            ingest: IngestEvents,
            dataSource: DataSource,
            publisher: KafkaMessagePublisher,
            metrics: IngestMetrics,
          ) =>
            new IngestConsumer(
              { groupId: config.consumer.groupId },
              {
                kafka,
                ingest,
                tenants: new TenantDirectory(dataSource, { cacheTtlMs: config.auth.cacheTtlMs }),
                publisher,
                metrics,
                log: new Logger('IngestConsumer'),
              },
            ),
        },
        {
          provide: IngestLifecycle,
          inject: [IngestConsumer, MESSAGE_PUBLISHER, DataSource, API_KEY_USAGE],
          useFactory: (
            consumer: IngestConsumer,
            publisher: KafkaMessagePublisher,
            dataSource: DataSource,
            keyUsage: ApiKeyUsageRecorder,
          ) =>
            new IngestLifecycle({
              consumer: config.consumer.enabled ? consumer : undefined,
              publisher,
              dataSource,
              keyUsage,
            }),
        },
      ],
    };
  }
}
