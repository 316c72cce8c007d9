import { type DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@hookline/observability';
import type { IngestConfig } from './config';

/** Root module of the ingest service: accepts events from producers over HTTP and publishes them to Kafka. */
@Module({})
export class AppModule {
  /** Builds the root module from the validated configuration. */
  static forRoot(config: IngestConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceRuntimeModule.forRoot(config)] };
  }
}
