import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { ServiceRuntimeModule } from '@hookline/observability';
import type { SubscriptionConfig } from './config';
import { DatabaseModule } from './database/database.module';
import { DocsModule } from './docs/docs.module';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { GrpcAdminModule } from './grpc/grpc-admin.module';
import { StorableInputInterceptor } from './input/storable-input.interceptor';
import { PortalModule } from './portal/portal.module';
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
        PortalModule.forRoot(config),
      ],
      // REST only: the gRPC server checks its requests itself (see PortReportingGrpcServer).
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: StorableInputInterceptor },
      ],
    };
  }
}
