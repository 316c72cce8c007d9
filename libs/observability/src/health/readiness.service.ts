import { Inject, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../metrics/metrics.constants';
import { HEALTH_OPTIONS, READINESS_PROBES, type ResolvedHealthOptions } from './health.constants';
import type { ProbeOutcome, ReadinessProbe, ReadinessReport } from './readiness-probe';
import { runProbes } from './run-probes';

/**
 * Answers "can this service do its work right now?" by running every probe.
 *
 * Concurrent callers (the `/readyz` handler and a metrics scrape) share one run, so a burst of
 * requests never multiplies the load on the dependencies. The service logs each dependency only when
 * it changes state, not on every probe.
 */
@Injectable()
export class ReadinessService implements OnApplicationShutdown {
  private readonly logger = new Logger('Readiness');
  private inFlight: Promise<ReadinessReport> | undefined;
  private readonly lastStatus = new Map<string, ProbeOutcome['status']>();

  constructor(
    @Inject(READINESS_PROBES) private readonly probes: readonly ReadinessProbe[],
    @Inject(HEALTH_OPTIONS) private readonly options: ResolvedHealthOptions,
    @Optional() @Inject(METRICS_REGISTRY) registry?: Registry,
  ) {
    assertUniqueNames(probes);
    if (registry) this.registerGauge(registry);
  }

  /** Runs all probes (or joins the run already in progress) and reports the outcome. */
  check(): Promise<ReadinessReport> {
    this.inFlight ??= runProbes(this.probes, this.options.probeTimeoutMs)
      .then((report) => {
        this.logTransitions(report);
        return report;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.probes.map((probe) => probe.close?.()));
  }

  private registerGauge(registry: Registry): void {
    // The gauge probes at scrape time so it is never staler than the scrape itself.
    const check = () => this.check();
    new Gauge({
      name: 'hookline_ready',
      help: 'Whether a dependency answered its readiness probe (1) or not (0).',
      labelNames: ['dependency'],
      registers: [registry],
      async collect() {
        const report = await check();
        for (const outcome of report.dependencies) {
          this.set({ dependency: outcome.dependency }, outcome.status === 'up' ? 1 : 0);
        }
      },
    });
  }

  private logTransitions(report: ReadinessReport): void {
    for (const outcome of report.dependencies) {
      const previous = this.lastStatus.get(outcome.dependency);
      this.lastStatus.set(outcome.dependency, outcome.status);
      if (previous === outcome.status) continue;
      if (outcome.status === 'down')
        this.logger.warn(`${outcome.dependency} is not ready: ${outcome.reason}`);
      else if (previous === 'down') this.logger.log(`${outcome.dependency} is ready again`);
    }
  }
}

function assertUniqueNames(probes: readonly ReadinessProbe[]): void {
  const seen = new Set<string>();
  for (const probe of probes) {
    if (seen.has(probe.name)) throw new Error(`Two readiness probes are named "${probe.name}"`);
    seen.add(probe.name);
  }
}
