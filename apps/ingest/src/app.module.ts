import { type DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@hookline/observability';
import type { IngestConfig } from './config';
import { DocsModule } from './docs/docs.module';
import { EventsModule } from './events/events.module';

/**
 * Root module of the ingest service: accepts events over HTTP and from the ingest topic, publishes
 * them to Kafka, and serves the API reference.
 */
@Module({})
export class AppModule {
  /** Builds the root module from the validated configuration. */
  static forRoot(config: IngestConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceRuntimeModule.forRoot(config),
        EventsModule.forRoot(config),
        DocsModule.forRoot(config),
      ],
    };
  }
}
