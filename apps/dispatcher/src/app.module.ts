import { type DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@hookline/observability';
import type { DispatcherConfig } from './config';

/** Root module of the dispatcher service: delivers events to endpoints, signed and with retries. */
@Module({})
export class AppModule {
  /** Builds the root module from the validated configuration. */
  static forRoot(config: DispatcherConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceRuntimeModule.forRoot(config)] };
  }
}
