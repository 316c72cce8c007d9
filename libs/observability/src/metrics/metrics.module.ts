import { type DynamicModule, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics.constants';
import { MetricsController } from './metrics.controller';

/** Options of `MetricsModule.forRoot`. */
export interface MetricsModuleOptions {
  /** Service name, stamped as the `service` label on every metric of the registry. */
  readonly service: string;
  /** Extra labels stamped on every metric (e.g. `instance`); `service` always wins. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Whether to collect Node.js process metrics (CPU, memory, event loop, GC); on unless turned off. */
  readonly defaultMetrics?: boolean;
}

/**
 * One prom-client registry per service, exposed at `GET /metrics`.
 *
 * The registry is never the global default one, so several services can boot in one process (as the
 * tests do) without their metrics colliding. It is global within the app: any feature injects
 * `METRICS_REGISTRY` and registers its own metrics there.
 */
@Module({})
export class MetricsModule {
  /** Creates the service's registry, with default process metrics labelled `service=<name>`. */
  static forRoot(options: MetricsModuleOptions): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [{ provide: METRICS_REGISTRY, useFactory: () => createServiceRegistry(options) }],
      exports: [METRICS_REGISTRY],
    };
  }
}

/** Builds a registry whose every metric carries `service=<name>` (and any extra labels). */
export function createServiceRegistry(options: MetricsModuleOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ ...options.labels, service: options.service });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}
