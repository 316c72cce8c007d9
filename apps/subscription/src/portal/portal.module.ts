import { type DynamicModule, Module } from '@nestjs/common';
import type { SubscriptionConfig } from '../config';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import { PortalAssetsController } from './portal-assets.controller';

/**
 * The customer portal's files, served at `/portal/`. Apart from `SubscriptionApiModule`, so they stay
 * out of the API's OpenAPI document; the portal's sessions are minted by the operator API there.
 */
@Module({})
export class PortalModule {
  /** Wires the portal's files for one configuration. */
  static forRoot(config: SubscriptionConfig): DynamicModule {
    return {
      module: PortalModule,
      controllers: [PortalAssetsController],
      providers: [{ provide: SUBSCRIPTION_CONFIG, useValue: config }],
    };
  }
}
