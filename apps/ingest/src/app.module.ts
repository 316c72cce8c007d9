import { type DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@hookline/observability';
import type { IngestConfig } from './config';
import { EventsModule } from './events/events.module';

/** Root module of the ingest service: accepts events over HTTP and from the ingest topic, and publishes them to Kafka. */
@Module({})
export class AppModule {
  /** Builds the root module from the validated configuration. */
  static forRoot(config: IngestConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot(config), EventsModule.forRoot(config)],
    };
  }
}
