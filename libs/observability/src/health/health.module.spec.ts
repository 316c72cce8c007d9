import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MetricsModule } from '../metrics/metrics.module';
import { HealthModule } from './health.module';
import type { ReadinessProbe } from './readiness-probe';
import { ReadinessService } from './readiness.service';

/** A probe whose answer the test controls and whose calls it counts. */
class FakeProbe implements ReadinessProbe {
  calls = 0;
  closed = 0;
  failure: Error | undefined;
  constructor(readonly name: string) {}
  async check(): Promise<void> {
    this.calls += 1;
    if (this.failure) throw this.failure;
  }
  async close(): Promise<void> {
    this.closed += 1;
  }
}

async function boot(imports: unknown[]): Promise<{ app: INestApplication; url: string }> {
  @Module({ imports: imports as never[] })
  class RootModule {}
  const app = await NestFactory.create(RootModule, { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

describe('HealthModule', () => {
  let kafka: FakeProbe;
  let postgres: FakeProbe;
  let app: INestApplication;
  let url: string;

  beforeEach(async () => {
    kafka = new FakeProbe('kafka');
    postgres = new FakeProbe('postgres');
    ({ app, url } = await boot([
      MetricsModule.forRoot({ service: 'ingest', defaultMetrics: false }),
      HealthModule.forRoot({ probes: [kafka, postgres], probeTimeoutMs: 200 }),
    ]));
  });
  afterEach(async () => {
    await app.close();
  });

  it('answers /healthz without touching any dependency', async () => {
    kafka.failure = new Error('down');
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(kafka.calls).toBe(0);
  });

  it('answers /readyz 200 when every probe passes', async () => {
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      dependencies: [
        { dependency: 'kafka', status: 'up' },
        { dependency: 'postgres', status: 'up' },
      ],
    });
  });

  it('answers /readyz 503 naming the failing dependency and why', async () => {
    postgres.failure = new Error('password authentication failed for postgres://svc:topsecret@db/hookline');
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body).toEqual({
      status: 'not-ready',
      dependencies: [
        { dependency: 'kafka', status: 'up' },
        {
          dependency: 'postgres',
          status: 'down',
          reason: 'password authentication failed for postgres://svc:***@db/hookline',
        },
      ],
    });
  });

  it('answers 503 when a probe hangs past its timeout', async () => {
    kafka.check = () => new Promise(() => undefined);
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      dependencies: [
        { dependency: 'kafka', status: 'down', reason: 'no answer within 200 ms' },
        { status: 'up' },
      ],
    });
  });

  it('exposes readiness as hookline_ready{dependency} 1/0 on /metrics', async () => {
    kafka.failure = new Error('broker gone');
    const body = await (await fetch(`${url}/metrics`)).text();
    expect(body).toMatch(/^hookline_ready\{dependency="kafka",service="ingest"\} 0$/m);
    expect(body).toMatch(/^hookline_ready\{dependency="postgres",service="ingest"\} 1$/m);

    kafka.failure = undefined;
    const recovered = await (await fetch(`${url}/metrics`)).text();
    expect(recovered).toMatch(/^hookline_ready\{dependency="kafka",service="ingest"\} 1$/m);
  });

  it('shares one probe run between concurrent callers', async () => {
    let release = (): void => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const check = kafka.check.bind(kafka);
    kafka.check = async () => {
      await slow;
      await check();
    };
    const service = app.get(ReadinessService);
    const first = service.check();
    const second = service.check();
    release();
    expect(await first).toBe(await second);
    expect(kafka.calls).toBe(1);
    // Once settled, the next call probes again rather than serving a stale answer.
    await service.check();
    expect(kafka.calls).toBe(2);
  });

  it('closes its probes when the application shuts down', async () => {
    await app.close();
    expect([kafka.closed, postgres.closed]).toEqual([1, 1]);
    // Re-create so afterEach has something to close.
    ({ app, url } = await boot([HealthModule.forRoot({ probes: [] })]));
  });
});

describe('HealthModule without MetricsModule', () => {
  it('still serves /readyz', async () => {
    const { app, url } = await boot([HealthModule.forRoot({ probes: [new FakeProbe('kafka')] })]);
    try {
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});

describe('HealthModule.forRootAsync', () => {
  it('builds probes from injected providers', async () => {
    const probe = new FakeProbe('queue');
    @Module({ providers: [{ provide: 'QUEUE', useValue: probe }], exports: ['QUEUE'] })
    class QueueModule {}
    const { app, url } = await boot([
      HealthModule.forRootAsync({
        imports: [QueueModule],
        inject: ['QUEUE'],
        useFactory: (q: FakeProbe) => [q],
      }),
    ]);
    try {
      probe.failure = new Error('queue full');
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'not-ready',
        dependencies: [{ dependency: 'queue', status: 'down', reason: 'queue full' }],
      });
    } finally {
      await app.close();
    }
  });

  it('refuses two probes with the same name', async () => {
    await expect(
      boot([HealthModule.forRoot({ probes: [new FakeProbe('kafka'), new FakeProbe('kafka')] })]),
    ).rejects.toThrow('Two readiness probes are named "kafka"');
  });
});
