import { startReceiver, type TestReceiver } from '@hookline/testing';
import {
  type ApiBody,
  call,
  createMigratedDatabase,
  createTopics,
  loopbackPlatformEnv,
  type ServiceProcess,
  startOwnBroker,
  startService,
} from './support/platform';

/**
 * Per-endpoint statistics end to end: the built services as separate processes deliver events to a
 * loopback receiver that answers 200, 500, or too late, and `GET /v1/webhooks/{id}/stats` must
 * count exactly what the receiver saw.
 */
const KAFKA_PORT = 31692;
const ADMIN = 'e2e-admin-token-stats-0123456789abcdef';
const OK = 12;
const FAILING = 5;

describe('endpoint statistics (ingest → dispatcher → rollup → subscription API)', () => {
  let broker: Awaited<ReturnType<typeof startOwnBroker>>;
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let receiver: TestReceiver;
  const services: ServiceProcess[] = [];
  // What the receiver answered, counted as each request arrived.
  const answered = { ok: 0, failing: 0, slow: 0 };

  beforeAll(async () => {
    broker = await startOwnBroker(KAFKA_PORT);
    database = await createMigratedDatabase(`hookline_e2e_stats_${process.pid}`);
    receiver = await startReceiver((request) => {
      const id = String((JSON.parse(request.body.toString()) as { data: { id: string } }).data.id);
      if (id.startsWith('user_ok_')) {
        answered.ok += 1;
        return { status: 200 };
      }
      if (id.startsWith('user_failing_')) {
        answered.failing += 1;
        return { status: 500 };
      }
      answered.slow += 1;
      return { status: 200, delayMs: 4_000 };
    });
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop().catch(() => undefined)));
    await receiver?.close();
    await database?.drop();
    await broker?.stop();
  });

  it('counts every attempt the receiver saw, by outcome, and nothing for another tenant', async () => {
    const env = {
      ...loopbackPlatformEnv(broker.brokers, database.url, ADMIN),
      HOOKLINE_ATTEMPT_TIMEOUT: '1s',
      // No retry falls due during the test (and no retry scheduler runs): one attempt per event.
      HOOKLINE_RETRY_SCHEDULE: '1h',
      // Every failure reaches the endpoint: the breaker never opens here.
      DISPATCHER_BREAKER_MIN_REQUESTS: '1000',
    };
    createTopics(env);
    const subscription = await startService('subscription', env);
    services.push(subscription);
    const ingest = await startService('ingest', env);
    services.push(ingest);
    const dispatcher = await startService('dispatcher', env);
    services.push(dispatcher);

    const admin = { authorization: `Bearer ${ADMIN}` };
    const tenantKey = async (name: string) => {
      const tenant = await call('POST', `${subscription.url}/v1/admin/tenants`, { name }, admin);
      expect(tenant.status).toBe(201);
      const minted = await call(
        'POST',
        `${subscription.url}/v1/admin/tenants/${tenant.body.id}/api-keys`,
        {},
        admin,
      );
      expect(minted.status).toBe(201);
      return { authorization: `Bearer ${minted.body.key}` };
    };
    const acme = await tenantKey('acme');
    const other = await tenantKey('other');
    const endpoint = await call(
      'POST',
      `${subscription.url}/v1/webhooks`,
      { url: receiver.url, events: ['user.created'] },
      acme,
    );
    expect(endpoint.status).toBe(201);
    // The dispatcher's view follows the changelog within moments.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const events = [
      ...Array.from({ length: OK }, (_, i) => `user_ok_${i}`),
      ...Array.from({ length: FAILING }, (_, i) => `user_failing_${i}`),
      'user_slow_0',
    ].map((id) => ({ type: 'user.created', data: { id, email: `${id}@example.com`, name: id } }));
    const accepted = await call('POST', `${ingest.url}/v1/events`, events, acme);
    expect(accepted.status).toBe(202);

    const stats = (window: string, auth = acme) =>
      call(
        'GET',
        `${subscription.url}/v1/webhooks/${endpoint.body.id}/stats?window=${window}`,
        undefined,
        auth,
      );
    // Attempts are recorded in batches after their answer (or timeout): wait until all are counted.
    let hour: ApiBody;
    const deadline = Date.now() + 60_000;
    do {
      await new Promise((resolve) => setTimeout(resolve, 250));
      hour = (await stats('1h')).body;
    } while (hour.totals?.attempts < events.length && Date.now() < deadline);

    const seen = answered.ok + answered.failing + answered.slow;
    expect(answered).toEqual({ ok: OK, failing: FAILING, slow: 1 });
    expect(hour.totals).toMatchObject({
      attempts: seen,
      succeeded: answered.ok,
      failed: answered.failing + answered.slow,
      success_rate: Math.round((answered.ok / seen) * 10_000) / 10_000,
      failures_by_reason: {
        http_4xx: 0,
        http_5xx: answered.failing,
        timeout: answered.slow,
        connection: 0,
        tls: 0,
        refused_address: 0,
        other: 0,
      },
    });
    // The timed-out attempt took the whole second it was allowed: it is the slowest, and above p95's rank.
    expect(hour.totals.p50_ms).toBeLessThan(1_000);
    expect(hour.series.reduce((sum: number, bucket: ApiBody) => sum + bucket.attempts, 0)).toBe(seen);

    const week = (await stats('7d')).body;
    expect(week.totals).toEqual(hour.totals);

    const refused = await stats('1h', other);
    expect(refused.status).toBe(404);
    expect(refused.body.error.type).toBe('not_found');
  });
});
