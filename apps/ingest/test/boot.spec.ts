import { randomBytes } from 'node:crypto';
import type { RunningService } from '@hookline/observability';
import { createTestDatabase, type TestDatabase } from '@hookline/testing';
import { loadConfig } from '../src/config';
import { bootstrap } from '../src/main';

describe('ingest service boot', () => {
  let db: TestDatabase;
  let service: RunningService;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      DATABASE_URL: db.url,
      // A group of its own: this test must not take ingest-topic partitions from another test's instance.
      INGEST_CONSUMER_GROUP: `test.ingest-boot.${randomBytes(4).toString('hex')}`,
    };
    service = await bootstrap(loadConfig({ ...env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'error' }));
  });
  afterAll(async () => {
    await service?.close();
    await db?.drop();
  });

  it('is alive, ready and exposes its metrics labelled service="ingest"', async () => {
    const healthz = await fetch(`${service.url}/healthz`);
    expect([healthz.status, await healthz.json()]).toEqual([200, { status: 'ok' }]);

    const readyz = await fetch(`${service.url}/readyz`);
    expect(await readyz.json()).toMatchObject({ status: 'ready' });
    expect(readyz.status).toBe(200);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="ingest"\} \d/m);
    expect(metrics).toMatch(/^hookline_ready\{dependency="kafka",service="ingest"\} 1$/m);
    expect(metrics).toMatch(/^# TYPE hookline_events_ingested_total counter$/m);
    expect(metrics).toMatch(/^# TYPE hookline_ingest_request_duration_seconds histogram$/m);
    expect(metrics).toMatch(/^# TYPE hookline_ingest_idempotency_hits_total counter$/m);
  });
});
