import { METRICS_REGISTRY } from '@hookline/observability';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Registry } from 'prom-client';
import { DispatcherRuntime } from './dispatcher.runtime';
import type { DispatcherConfig } from './config';

/** Injection token of the dispatcher's configuration. */
export const DISPATCHER_CONFIG = Symbol('hookline.dispatcher-config');

/** Starts the dispatcher once the app is up and stops it gracefully on shutdown. */
@Injectable()
export class DispatcherLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Dispatcher');

  constructor(
    @Inject(DispatcherRuntime) private readonly runtime: DispatcherRuntime,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
  ) {}

  /** Starts consuming once every module is ready. */
  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start(this.registry, this.logger);
  }

  /** Lets deliveries in flight finish within the grace period, then closes connections. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop(this.config.shutdownGraceMs);
  }
}
