import type { RunningService } from '@hookline/observability';
import { createTestDatabase, ensureHooklineTopics, type TestDatabase } from '@hookline/testing';
import { loadConfig } from '../src/config';
import { bootstrap } from '../src/main';

describe('dispatcher service boot', () => {
  let service: RunningService;
  let db: TestDatabase;

  beforeAll(async () => {
    await ensureHooklineTopics();
    db = await createTestDatabase();
    const env = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      DATABASE_URL: db.url,
      DISPATCHER_GROUP_ID: `test-dispatcher-boot-${process.pid}`,
      DISPATCHER_INITIAL_OFFSET: 'latest',
    };
    service = await bootstrap(loadConfig({ ...env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'error' }));
  });
  afterAll(async () => {
    await service?.close();
    await db?.drop();
  });

  it('is alive, ready and exposes its metrics labelled service="dispatcher"', async () => {
    const healthz = await fetch(`${service.url}/healthz`);
    expect([healthz.status, await healthz.json()]).toEqual([200, { status: 'ok' }]);

    const readyz = await fetch(`${service.url}/readyz`);
    expect(await readyz.json()).toMatchObject({ status: 'ready' });
    expect(readyz.status).toBe(200);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="dispatcher"\} \d/m);
    expect(metrics).toMatch(/^hookline_ready\{dependency="kafka",service="dispatcher"\} 1$/m);
  });
});
