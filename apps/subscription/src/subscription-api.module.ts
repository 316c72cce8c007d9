import { type DynamicModule, Module } from '@nestjs/common';
import { ApiKeyAuthenticator } from '@hookline/tenancy';
import { DataSource } from 'typeorm';
import { AdminTokenGuard } from './auth/admin-token.guard';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ChangelogRepublisher } from './changelog/changelog.republisher';
import { EndpointChangeRunner } from './changelog/endpoint-change.runner';
import { EndpointChangelogWriter } from './changelog/endpoint-changelog.writer';
import type { SubscriptionConfig } from './config';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesService } from './deliveries/deliveries.service';
import { DeliveryTaskWriter } from './deliveries/delivery-task.writer';
import { EndpointsService } from './endpoints/endpoints.service';
import { WebhooksController } from './endpoints/webhooks.controller';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { KafkaPublisher } from './kafka/kafka.publisher';
import { AdminController } from './keys/admin.controller';
import { KeysService } from './keys/keys.service';
import { SubscriptionMetrics } from './metrics/subscription.metrics';
import { SUBSCRIPTION_CONFIG } from './subscription.tokens';

/**
 * The public REST API and the use cases behind it. The use-case services (`EndpointsService`,
 * `KeysService`, `DeliveriesService`, `EventsService`) are exported so another transport can call
 * them the same way the REST controllers do.
 */
@Module({})
export class SubscriptionApiModule {
  /** Wires the API for one configuration; needs a `DataSource` provider (see `DatabaseModule`). */
  static forRoot(config: SubscriptionConfig): DynamicModule {
    return {
      module: SubscriptionApiModule,
      controllers: [WebhooksController, DeliveriesController, EventsController, AdminController],
      providers: [
        { provide: SUBSCRIPTION_CONFIG, useValue: config },
        {
          provide: ApiKeyAuthenticator,
          useFactory: (dataSource: DataSource) =>
            new ApiKeyAuthenticator(dataSource, { cacheTtlMs: config.subscription.apiKeyCacheTtlMs }),
          inject: [DataSource],
        },
        SubscriptionMetrics,
        KafkaPublisher,
        EndpointChangelogWriter,
        EndpointChangeRunner,
        DeliveryTaskWriter,
        EndpointsService,
        KeysService,
        DeliveriesService,
        EventsService,
        ChangelogRepublisher,
        ApiKeyGuard,
        AdminTokenGuard,
      ],
      exports: [EndpointsService, KeysService, DeliveriesService, EventsService, ChangelogRepublisher],
    };
  }
}
