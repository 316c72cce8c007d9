import { Inject, Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Counter, register as globalRegistry, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics.constants';
import { MetricsModule } from './metrics.module';

@Injectable()
class DeliveriesMetric {
  readonly counter: Counter;
  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.counter = new Counter({ name: 'test_deliveries_total', help: 'deliveries', registers: [registry] });
  }
}

@Module({ providers: [DeliveriesMetric], exports: [DeliveriesMetric] })
class FeatureModule {}

async function boot(service: string): Promise<{ app: INestApplication; url: string }> {
  @Module({ imports: [MetricsModule.forRoot({ service }), FeatureModule] })
  class RootModule {}
  const app = await NestFactory.create(RootModule, { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

describe('MetricsModule', () => {
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('serves default metrics labelled with the service in the Prometheus text format', async () => {
    const { app, url } = await boot('ingest');
    apps.push(app);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await res.text();
    expect(body).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(body).toMatch(/^process_cpu_user_seconds_total\{service="ingest"\} \d/m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes\{service="ingest"\} \d/m);
  });

  it('labels metrics that features register on the injected registry', async () => {
    const { app, url } = await boot('dispatcher');
    apps.push(app);
    app.get(DeliveriesMetric).counter.inc(3);
    const body = await (await fetch(`${url}/metrics`)).text();
    expect(body).toMatch(/^test_deliveries_total\{service="dispatcher"\} 3$/m);
  });

  it('keeps each service on its own registry, so several can run in one process', async () => {
    const a = await boot('subscription');
    apps.push(a.app);
    const b = await boot('retry-scheduler');
    apps.push(b.app);
    a.app.get(DeliveriesMetric).counter.inc();
    const bodyA = await (await fetch(`${a.url}/metrics`)).text();
    const bodyB = await (await fetch(`${b.url}/metrics`)).text();
    expect(bodyA).toMatch(/^test_deliveries_total\{service="subscription"\} 1$/m);
    expect(bodyB).toMatch(/^test_deliveries_total\{service="retry-scheduler"\} 0$/m);
    expect(bodyA).not.toContain('service="retry-scheduler"');
    expect(await globalRegistry.getMetricsAsJSON()).toEqual([]);
  });
});
