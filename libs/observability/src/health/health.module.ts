import { type DynamicModule, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { HEALTH_OPTIONS, READINESS_PROBES, type ResolvedHealthOptions } from './health.constants';
import { HealthController } from './health.controller';
import type { ReadinessProbe } from './readiness-probe';
import { ReadinessService } from './readiness.service';
import { DEFAULT_PROBE_TIMEOUT_MS } from './run-probes';

/** Options of `HealthModule.forRoot`. */
export interface HealthModuleOptions {
  /** Dependencies checked by `/readyz`; an empty list means always ready. */
  readonly probes: readonly ReadinessProbe[];
  /** Time each probe may take before it counts as down; 2 s unless set. */
  readonly probeTimeoutMs?: number;
}

/** Options of `HealthModule.forRootAsync`, for probes built from injected providers (e.g. a DataSource). */
export interface HealthModuleAsyncOptions {
  /** Modules exporting the providers named in `inject`. */
  readonly imports?: ModuleMetadata['imports'];
  /** Providers handed to `useFactory`, in order. */
  readonly inject?: NonNullable<Extract<Provider, { useFactory: unknown }>['inject']>;
  /** Builds the probes from the injected providers. */
  readonly useFactory: (...deps: never[]) => readonly ReadinessProbe[] | Promise<readonly ReadinessProbe[]>;
  /** Time each probe may take before it counts as down; 2 s unless set. */
  readonly probeTimeoutMs?: number;
}

/**
 * `GET /healthz` (liveness) and `GET /readyz` (readiness), plus the `hookline_ready{dependency}`
 * gauge when `MetricsModule` is present. Probes it is given are closed at application shutdown.
 */
@Module({})
export class HealthModule {
  /** Registers the endpoints with a fixed set of probes. */
  static forRoot(options: HealthModuleOptions): DynamicModule {
    return HealthModule.build(
      [],
      { provide: READINESS_PROBES, useValue: options.probes },
      options.probeTimeoutMs,
    );
  }

  /** Registers the endpoints with probes built from other providers. */
  static forRootAsync(options: HealthModuleAsyncOptions): DynamicModule {
    const probes: Provider = {
      provide: READINESS_PROBES,
      useFactory: options.useFactory as (...deps: unknown[]) => unknown,
      inject: options.inject ?? [],
    };
    return HealthModule.build(options.imports ?? [], probes, options.probeTimeoutMs);
  }

  private static build(
    imports: NonNullable<ModuleMetadata['imports']>,
    probes: Provider,
    probeTimeoutMs = DEFAULT_PROBE_TIMEOUT_MS,
  ): DynamicModule {
    const resolved: ResolvedHealthOptions = { probeTimeoutMs };
    return {
      module: HealthModule,
      imports,
      controllers: [HealthController],
      providers: [probes, { provide: HEALTH_OPTIONS, useValue: resolved }, ReadinessService],
      exports: [ReadinessService],
    };
  }
}
