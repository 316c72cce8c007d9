import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { kafkaReadinessProbe } from '../health/kafka.probe';
import { postgresReadinessProbe } from '../health/postgres.probe';
import type { ReadinessProbe } from '../health/readiness-probe';
import { MetricsModule } from '../metrics/metrics.module';
import type { ServiceConfig } from './service-config';

/** Injection token of the service's validated configuration (the object its `config.ts` returned). */
export const SERVICE_CONFIG = Symbol('hookline.service-config');

/** Options of `ServiceRuntimeModule.forRoot` beyond the configuration. */
export interface ServiceRuntimeOptions {
  /** Replaces the default Kafka + Postgres probes, e.g. with one built on the app's own DataSource. */
  readonly probes?: readonly ReadinessProbe[];
}

/**
 * What every service boots with: its configuration as a provider, `/metrics` on a registry of its
 * own, and `/healthz` + `/readyz` probing Kafka and Postgres.
 */
@Module({})
export class ServiceRuntimeModule {
  /** Wires metrics, health and the configuration for one service. */
  static forRoot(config: ServiceConfig, options: ServiceRuntimeOptions = {}): DynamicModule {
    return {
      module: ServiceRuntimeModule,
      global: true,
      imports: [
        MetricsModule.forRoot({ service: config.service }),
        HealthModule.forRoot({ probes: options.probes ?? defaultProbes(config) }),
      ],
      providers: [{ provide: SERVICE_CONFIG, useValue: config }],
      exports: [SERVICE_CONFIG],
    };
  }
}

/** Kafka and Postgres probes for a service's configuration. */
export function defaultProbes(config: ServiceConfig): ReadinessProbe[] {
  return [
    kafkaReadinessProbe({ client: config.kafka }),
    postgresReadinessProbe({ connectionString: config.database.url }),
  ];
}
