import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { SubscriptionConfig } from '../config';
import { EndpointsService } from '../endpoints/endpoints.service';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';

/** How the republish at boot ended. */
export type RepublishOutcome =
  | { readonly kind: 'republished'; readonly count: number }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'skipped' };

/**
 * Publishes every endpoint to the changelog once at boot (SUBSCRIPTION_REPUBLISH_ON_BOOT), so a
 * changelog that was lost, truncated or missed a repair is rebuilt without operator action. It runs
 * in the background: the API serves while it runs, and a Kafka outage at boot does not stop the
 * service from starting.
 */
@Injectable()
export class ChangelogRepublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ChangelogRepublisher');
  private run: Promise<RepublishOutcome> = Promise.resolve({ kind: 'skipped' });

  constructor(
    private readonly endpoints: EndpointsService,
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
  ) {}

  /** Settles when the republish at boot has finished (or at once when it is turned off). */
  get finished(): Promise<RepublishOutcome> {
    return this.run;
  }

  onApplicationBootstrap(): void {
    if (!this.config.subscription.republishOnBoot) return;
    this.run = this.endpoints.republishAll().then(
      (count): RepublishOutcome => {
        this.logger.log(`republished ${count} endpoint(s) to the changelog`);
        return { kind: 'republished', count };
      },
      (error: unknown): RepublishOutcome => {
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.warn(`republishing endpoints at boot failed: ${reason}`);
        return { kind: 'failed', reason };
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.run;
  }
}
