import type {
  BeforeApplicationShutdown,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { ApiKeyUsageRecorder } from '@hookline/tenancy';
import type { DataSource } from 'typeorm';
import type { KafkaMessagePublisher } from '../kafka/kafka-message.publisher';
import type { IngestConsumer } from './ingest.consumer';

/** What the lifecycle starts and stops. */
export interface IngestLifecycleParts {
  /** Absent when this instance does not consume the ingest topic. */
  readonly consumer: IngestConsumer | undefined;
  readonly publisher: KafkaMessagePublisher;
  readonly dataSource: DataSource;
  /** Writes API keys' `last_used_at`; what it holds is written before the pool closes. */
  readonly keyUsage: ApiKeyUsageRecorder;
}

/**
 * Starts intake once the app is up, and shuts it down in the order that loses nothing: stop
 * consuming (the record in hand is finished and committed), then let the HTTP server finish its
 * in-flight requests (Nest closes it between these two hooks), then flush and disconnect the producer,
 * write the API key uses noted since the last write, and close the database pool.
 */
export class IngestLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('IngestLifecycle');

  constructor(private readonly parts: IngestLifecycleParts) {}

  async onApplicationBootstrap(): Promise<void> {
    // A broker that is down at boot is not fatal: /readyz says so, requests get 503 until it is back.
    const connected = await this.parts.publisher.connect();
    if (connected.kind === 'failed')
      this.logger.warn(`Kafka producer not connected yet: ${connected.reason}`);
    this.parts.consumer?.start();
    this.parts.keyUsage.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.parts.consumer?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.parts.publisher.close();
    if (this.parts.dataSource.isInitialized) {
      await this.parts.keyUsage.stop();
      await this.parts.dataSource.destroy();
    }
  }
}
