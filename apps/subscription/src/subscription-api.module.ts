import { type DynamicModule, Module } from '@nestjs/common';
import { SecretSealer } from '@hookline/sealing';
import {
  ApiKeyAuthenticator,
  ApiKeyUsageRecorder,
  AuthFailureBrake,
  TrustedProxies,
} from '@hookline/tenancy';
import { DataSource } from 'typeorm';
import { AdminTokenGuard } from './auth/admin-token.guard';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ClientAddresses } from './auth/client-addresses';
import { OperatorKeyVerifier, OperatorTokenAuthenticator } from './auth/operator-token.authenticator';
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
import { OperatorKeysService } from './keys/operator-keys.service';
import { SubscriptionMetrics } from './metrics/subscription.metrics';
import { AdminPortalSessionsController } from './portal/admin-portal-sessions.controller';
import { PortalSessionsService } from './portal/portal-sessions.service';
import { PortalTokenCodec } from './portal/portal-token.codec';
import { TenantCallerAuthenticator } from './portal/tenant-caller.authenticator';
import { EndpointStatsController } from './stats/endpoint-stats.controller';
import { EndpointStatsService } from './stats/endpoint-stats.service';
import { SUBSCRIPTION_CONFIG } from './subscription.tokens';
import { TenantRefPipe } from './tenants/tenant-ref.pipe';
import { TenantsController } from './tenants/tenants.controller';
import { TenantsService } from './tenants/tenants.service';

/** What this module provides to the other transports too: the use cases and the changelog republisher. */
const EXPORTED_SERVICES = [
  EndpointsService,
  KeysService,
  DeliveriesService,
  EventsService,
  EndpointStatsService,
  ChangelogRepublisher,
  PortalSessionsService,
  TenantsService,
  OperatorKeysService,
  TenantRefPipe,
];

/**
 * The public REST API and the use cases behind it. The use-case services (`EndpointsService`,
 * `KeysService`, `DeliveriesService`, `EventsService`, `EndpointStatsService`) are exported so another
 * transport can call them the same way the REST controllers do.
 */
@Module({})
export class SubscriptionApiModule {
  /** Wires the API for one configuration; needs a `DataSource` provider (see `DatabaseModule`). */
  static forRoot(config: SubscriptionConfig): DynamicModule {
    return {
      module: SubscriptionApiModule,
      controllers: [
        WebhooksController,
        EndpointStatsController,
        DeliveriesController,
        EventsController,
        AdminController,
        TenantsController,
        AdminPortalSessionsController,
      ],
      providers: [
        { provide: SUBSCRIPTION_CONFIG, useValue: config },
        // Seals secrets and header values before they are stored or published; opens them to answer.
        { provide: SecretSealer, useValue: new SecretSealer(config.secretKeys) },
        // One brake per process for every way in: REST and gRPC, API keys and the admin token.
        { provide: AuthFailureBrake, useValue: new AuthFailureBrake(config.auth.brake) },
        {
          provide: ClientAddresses,
          useValue: new ClientAddresses(new TrustedProxies(config.auth.trustedProxies)),
        },
        {
          provide: ApiKeyAuthenticator,
          useFactory: (dataSource: DataSource, brake: AuthFailureBrake, usage: ApiKeyUsageRecorder) =>
            new ApiKeyAuthenticator(dataSource, {
              cacheTtlMs: config.subscription.apiKeyCacheTtlMs,
              brake,
              usage,
            }),
          inject: [DataSource, AuthFailureBrake, ApiKeyUsageRecorder],
        },
        OperatorTokenAuthenticator,
        { provide: OperatorKeyVerifier, useExisting: OperatorKeysService },
        // Signs and checks customer portal session tokens, with a key derived from the sealing keyring.
        { provide: PortalTokenCodec, useValue: new PortalTokenCodec(config.secretKeys) },
        TenantCallerAuthenticator,
        SubscriptionMetrics,
        KafkaPublisher,
        EndpointChangelogWriter,
        EndpointChangeRunner,
        DeliveryTaskWriter,
        ...EXPORTED_SERVICES,
        ApiKeyGuard,
        AdminTokenGuard,
      ],
      exports: [...EXPORTED_SERVICES, OperatorTokenAuthenticator, TenantCallerAuthenticator, ClientAddresses],
    };
  }
}
