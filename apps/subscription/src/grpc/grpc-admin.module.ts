import { type DynamicModule, Module } from '@nestjs/common';
import type { SubscriptionConfig } from '../config';
import { PortalSessionsGrpcController } from '../portal/portal-sessions.grpc-controller';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import { DeliveriesGrpcController } from './deliveries.grpc-controller';
import { EndpointStatsGrpcController } from './endpoint-stats.grpc-controller';
import { EndpointsGrpcController } from './endpoints.grpc-controller';
import { EventsGrpcController } from './events.grpc-controller';
import { GrpcCallerGate } from './grpc-caller.authenticator';
import { OperatorGrpcController } from './operator.grpc-controller';
import { TenantsGrpcController } from './tenants.grpc-controller';

/**
 * The gRPC admin API (`admin.proto`): thin controllers over the same use cases as the REST API. The
 * transport is started separately (`startGrpcAdminApi`), once the application is initialised.
 */
@Module({})
export class GrpcAdminModule {
  /**
   * Wires the controllers; `api` must be the very `SubscriptionApiModule` the application imports,
   * so both transports share one set of use cases (and one Kafka producer).
   */
  static forRoot(config: SubscriptionConfig, api: DynamicModule): DynamicModule {
    return {
      module: GrpcAdminModule,
      imports: [api],
      controllers: [
        OperatorGrpcController,
        TenantsGrpcController,
        PortalSessionsGrpcController,
        EndpointsGrpcController,
        EndpointStatsGrpcController,
        EventsGrpcController,
        DeliveriesGrpcController,
      ],
      providers: [{ provide: SUBSCRIPTION_CONFIG, useValue: config }, GrpcCallerGate],
    };
  }
}
