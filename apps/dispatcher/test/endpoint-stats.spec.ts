import { randomBytes } from 'node:crypto';
import { FAILURE_REASONS } from '@hookline/persistence';
import { startReceiver, type TestReceiver } from '@hookline/testing';
import { type DispatcherHarness, startDispatcher } from './dispatcher.harness';

const TENANT = `ten_stats_${randomBytes(4).toString('hex')}`;

interface StatsRow {
  attempts: number;
  succeeded: number;
  [failed: `failed_${string}`]: number;
}

describe('per-endpoint statistics kept as deliveries are recorded (real Kafka, Postgres and HTTP)', () => {
  let harness: DispatcherHarness;
  let receiver: TestReceiver;
  // What the receiver answered, counted as each request arrived.
  const answered = { ok: 0, failing: 0, gone: 0, slow: 0 };

  beforeAll(async () => {
    harness = await startDispatcher({
      HOOKLINE_PRESET: 'hookline',
      HOOKLINE_ATTEMPT_TIMEOUT: '1s',
      // Every failure reaches the endpoint: the breaker never opens here.
      DISPATCHER_BREAKER_MIN_REQUESTS: '1000',
    });
    receiver = await startReceiver((request) => {
      const id = (JSON.parse(request.body.toString()) as { data: { id: string } }).data.id;
      if (id.startsWith('ok_')) {
        answered.ok += 1;
        return {};
      }
      if (id.startsWith('failing_')) {
        answered.failing += 1;
        return { status: 500 };
      }
      if (id.startsWith('gone_')) {
        answered.gone += 1;
        return { status: 404 };
      }
      answered.slow += 1;
      return { delayMs: 3_000 };
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await harness?.close();
  });

  it('counts each attempt once, by outcome, in the minute rows of its endpoint', async () => {
    const endpoint = await harness.createEndpoint(TENANT, { url: receiver.url, events: ['user.created'] });
    const ids = [
      ...Array.from({ length: 10 }, (_, i) => `ok_${i}`),
      ...Array.from({ length: 4 }, (_, i) => `failing_${i}`),
      'gone_0',
      'slow_0',
    ];
    for (const id of ids) await harness.publishEvent(TENANT, 'user.created', { id });

    // Retries wait on their tier (no retry scheduler runs here), so each event is attempted once.
    const totals = async (): Promise<StatsRow> => {
      const [row]: StatsRow[] = await harness.db.dataSource.query(
        `SELECT coalesce(sum(attempts), 0)::int AS attempts, coalesce(sum(succeeded), 0)::int AS succeeded,
           ${FAILURE_REASONS.map((r) => `coalesce(sum(failed_${r}), 0)::int AS failed_${r}`).join(', ')}
         FROM endpoint_stats_minute WHERE tenant_id = $1 AND endpoint_id = $2`,
        [TENANT, endpoint.id],
      );
      return row!;
    };
    const deadline = Date.now() + 30_000;
    while ((await totals()).attempts < ids.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(answered).toEqual({ ok: 10, failing: 4, gone: 1, slow: 1 });
    expect(await totals()).toEqual({
      attempts: 16,
      succeeded: answered.ok,
      failed_http_4xx: answered.gone,
      failed_http_5xx: answered.failing,
      failed_timeout: answered.slow,
      failed_connection: 0,
      failed_tls: 0,
      failed_refused_address: 0,
      failed_other: 0,
    });
    // The rollup agrees with the attempts themselves.
    const [{ n }]: Array<{ n: number }> = await harness.db.dataSource.query(
      'SELECT count(*)::int AS n FROM delivery_attempts WHERE tenant_id = $1 AND endpoint_id = $2',
      [TENANT, endpoint.id],
    );
    expect(n).toBe(16);
  });
});
