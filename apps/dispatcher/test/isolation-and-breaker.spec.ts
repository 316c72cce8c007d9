import { randomBytes } from 'node:crypto';
import { retryTierTopic } from '@hookline/events';
import { PRESETS } from '@hookline/presets';
import { consumeUntil, startReceiver, type TestReceiver } from '@hookline/testing';
import { type DispatcherHarness, startDispatcher } from './dispatcher.harness';

const bodyOf = (r: { body: Buffer }) => JSON.parse(r.body.toString()) as { id: string; data: { id: string } };

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}

const TEN_ISO = `ten_iso_${randomBytes(4).toString('hex')}`;
const TEN_BRK = `ten_brk_${randomBytes(4).toString('hex')}`;

describe('isolation between endpoints', () => {
  let harness: DispatcherHarness;
  let slow: TestReceiver;
  let fast: TestReceiver;

  beforeAll(async () => {
    harness = await startDispatcher({ HOOKLINE_PRESET: 'hookline' });
    slow = await startReceiver(() => ({ delayMs: 10_000 }));
    fast = await startReceiver();
  });
  afterAll(async () => {
    await Promise.all([slow?.close(), fast?.close()]);
    await harness?.close();
  });

  it('delivers to a fast endpoint without waiting for a slow one', async () => {
    await harness.createEndpoint(TEN_ISO, { url: slow.url, events: ['user.created'] });
    await harness.createEndpoint(TEN_ISO, { url: fast.url, events: ['user.created'] });
    const started = Date.now();
    const sent = [];
    for (let i = 0; i < 20; i += 1)
      sent.push(await harness.publishEvent(TEN_ISO, 'user.created', { id: `user_${i}` }));

    const arrived = await fast.waitFor(20, 9_000);
    expect(arrived.map((r) => bodyOf(r).id).sort()).toEqual(sent.map((s) => s.event.id).sort());
    // Every fast delivery arrived while the slow endpoint was still holding its first requests.
    expect(Math.max(...arrived.map((r) => r.at)) - started).toBeLessThan(9_000);
    expect(slow.requests).toHaveLength(0);
  });
});

describe('per-endpoint circuit breaker', () => {
  let harness: DispatcherHarness;
  let flaky: TestReceiver;
  let healthy = false;

  beforeAll(async () => {
    harness = await startDispatcher({
      HOOKLINE_PRESET: 'hookline',
      DISPATCHER_BREAKER_MIN_REQUESTS: '3',
      DISPATCHER_BREAKER_ERROR_PERCENT: '50',
      DISPATCHER_BREAKER_RESET: '4s',
    });
    flaky = await startReceiver(() => (healthy ? {} : { status: 503 }));
  });
  afterAll(async () => {
    await flaky?.close();
    await harness?.close();
  });

  const transitions = async (to: string) => {
    const metrics = await (await fetch(`${harness.service.url}/metrics`)).text();
    return Number(
      new RegExp(`^hookline_breaker_transitions_total\\{to="${to}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ??
        0,
    );
  };

  // Each transition is written to endpoint_breakers in the background, for the API to show.
  const reported = async (endpointId: string, state: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const rows: Array<{ owner: string; state: string; reason: string; since: Date; expires_at: Date }> =
        await harness.db.dataSource.query(
          'SELECT owner, state, reason, since, expires_at FROM endpoint_breakers WHERE endpoint_id = $1',
          [endpointId],
        );
      if (rows.some((row) => row.state === state) || Date.now() > deadline) return rows;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('opens on a failing endpoint, skips calls while open, and closes after it recovers', async () => {
    const endpoint = await harness.createEndpoint(TEN_BRK, { url: flaky.url, events: ['user.created'] });
    for (let i = 0; i < 3; i += 1) await harness.publishEvent(TEN_BRK, 'user.created', { id: `user_${i}` });
    await flaky.waitFor(3, 20_000);
    await waitUntil(() => harness.runtime.breakerState(endpoint.id) === 'open');
    expect(harness.runtime.breakerState(endpoint.id)).toBe('open');
    expect(await transitions('open')).toBeGreaterThanOrEqual(1);
    const open = await reported(endpoint.id, 'open');
    expect(open).toEqual([
      {
        owner: expect.stringMatching(/^dispatcher-[0-9a-f]{12}$/),
        state: 'open',
        reason: expect.stringMatching(
          /^\d+ of \d+ attempts failed in the last 60 s \(at least 50 % of at least 3 opens it\)$/,
        ),
        since: expect.any(Date),
        expires_at: expect.any(Date),
      },
    ]);
    expect(open[0].expires_at.getTime()).toBeGreaterThan(Date.now());

    // While open, deliveries are deferred to the deferral tier without calling the endpoint.
    const deferred = await harness.publishEvent(TEN_BRK, 'user.created', { id: 'user_deferred' });
    const parked = await consumeUntil(
      harness.kafka,
      retryTierTopic(PRESETS.hookline.retry.deferDelayMs),
      (messages) =>
        messages.some(
          (m) => m.value?.includes(deferred.event.id) && m.value.includes('circuit breaker open'),
        ),
      20_000,
    );
    const task = JSON.parse(parked.find((m) => m.value?.includes(deferred.event.id))?.value ?? '{}');
    expect(task).toMatchObject({
      kind: 'retry',
      attempt: 1,
      endpointId: endpoint.id,
      reason: 'circuit breaker open',
    });
    expect(flaky.requests).toHaveLength(3);
    // The delivery log shows the first attempt waiting, and why.
    const [row]: Array<{ status: string; attempt_count: number; last_error: string; next_attempt_at: Date }> =
      await harness.db.dataSource.query(
        'SELECT status, attempt_count, last_error, next_attempt_at FROM deliveries WHERE event_id = $1',
        [deferred.event.id],
      );
    expect(row).toMatchObject({
      status: 'pending',
      attempt_count: 0,
      last_error: 'deferred: circuit breaker open',
    });
    expect(row.next_attempt_at.getTime()).toBeGreaterThan(Date.now());

    // After the reset timeout a probe goes through; the endpoint has recovered, so the breaker closes.
    healthy = true;
    await new Promise((resolve) => setTimeout(resolve, 4200));
    const probe = await harness.publishEvent(TEN_BRK, 'user.created', { id: 'user_probe' });
    await flaky.waitFor(1, 20_000, (r) => bodyOf(r).id === probe.event.id);
    await waitUntil(() => harness.runtime.breakerState(endpoint.id) === 'closed');
    expect(harness.runtime.breakerState(endpoint.id)).toBe('closed');
    expect(await transitions('closed')).toBeGreaterThanOrEqual(1);
    const closed = await reported(endpoint.id, 'closed');
    expect(closed).toEqual([
      expect.objectContaining({
        owner: open[0].owner,
        state: 'closed',
        reason: 'an attempt succeeded while half-open',
      }),
    ]);
    expect(closed[0].since.getTime()).toBeGreaterThan(open[0].since.getTime());
  });
});
