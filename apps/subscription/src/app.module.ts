import { type DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@hookline/observability';
import type { SubscriptionConfig } from './config';

/** Root module of the subscription service: manages endpoints and their event subscriptions. */
@Module({})
export class AppModule {
  /** Builds the root module from the validated configuration. */
  static forRoot(config: SubscriptionConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceRuntimeModule.forRoot(config)] };
  }
}
