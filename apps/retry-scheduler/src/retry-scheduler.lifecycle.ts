import { METRICS_REGISTRY } from '@hookline/observability';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Registry } from 'prom-client';
import { RetrySchedulerRuntime } from './retry-scheduler.runtime';

/** Starts the retry scheduler once the app is up and stops it on shutdown. */
@Injectable()
export class RetrySchedulerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RetryScheduler');

  constructor(
    @Inject(RetrySchedulerRuntime) private readonly runtime: RetrySchedulerRuntime,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  /** Starts consuming once every module is ready. */
  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start(this.registry, this.logger);
  }

  /** Leaves the group (parked tasks stay on their tiers) and closes connections. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
