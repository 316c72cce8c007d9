import { type RetrySchedulerHarness, startRetryScheduler } from './retry-scheduler.harness';

describe('retry-scheduler service boot', () => {
  let scheduler: RetrySchedulerHarness;

  beforeAll(async () => {
    // A tier of its own: no other test's retries are handed on from here.
    scheduler = await startRetryScheduler({ HOOKLINE_RETRY_SCHEDULE: '1009ms' });
  });
  afterAll(async () => {
    await scheduler?.close();
  });

  it('is alive, ready and exposes its metrics labelled service="retry-scheduler"', async () => {
    const { url } = scheduler.service;
    const healthz = await fetch(`${url}/healthz`);
    expect([healthz.status, await healthz.json()]).toEqual([200, { status: 'ok' }]);

    const readyz = await fetch(`${url}/readyz`);
    expect(await readyz.json()).toMatchObject({ status: 'ready' });
    expect(readyz.status).toBe(200);

    const metrics = await scheduler.metrics();
    expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="retry-scheduler"\} \d/m);
    expect(metrics).toMatch(/^hookline_ready\{dependency="kafka",service="retry-scheduler"\} 1$/m);
    expect(metrics).toContain('# TYPE hookline_retries_due_total counter');
    expect(metrics).toContain('# TYPE hookline_retry_tier_lag_seconds histogram');
  });
});
