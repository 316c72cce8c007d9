import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ServiceRuntimeModule } from '@hookline/observability';
import type { SubscriptionConfig } from './config';
import { DatabaseModule } from './database/database.module';
import { DocsModule } from './docs/docs.module';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { GrpcAdminModule } from './grpc/grpc-admin.module';
import { SubscriptionApiModule } from './subscription-api.module';

/**
 * Root module of the subscription service: manages endpoints and their event subscriptions, over REST
 * and the gRPC admin API.
 */
@Module({})
export class AppModule {
  /** Builds the root module from the validated configuration. */
  static forRoot(config: SubscriptionConfig): DynamicModule {
    // One instance for both transports: REST and gRPC share the use cases.
    const api = SubscriptionApiModule.forRoot(config);
    return {
      module: AppModule,
      imports: [
        ServiceRuntimeModule.forRoot(config),
        DatabaseModule.forRoot(config),
        api,
        GrpcAdminModule.forRoot(config, api),
        DocsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
