import { ServiceRuntimeModule } from '@hookline/observability';
import { type DynamicModule, Module } from '@nestjs/common';
import type { RetrySchedulerConfig } from './config';
import { RetrySchedulerLifecycle } from './retry-scheduler.lifecycle';
import { RetrySchedulerRuntime } from './retry-scheduler.runtime';

/** Root module of the retry-scheduler service: releases failed deliveries once their delay is up. */
@Module({})
export class AppModule {
  /** Builds the root module from the validated configuration. */
  static forRoot(config: RetrySchedulerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot(config)],
      providers: [
        { provide: RetrySchedulerRuntime, useValue: new RetrySchedulerRuntime(config) },
        RetrySchedulerLifecycle,
      ],
    };
  }
}
