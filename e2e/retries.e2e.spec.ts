import { randomBytes } from 'node:crypto';
import {
  DEAD_LETTER_TOPIC,
  DELIVERY_TASKS_TOPIC,
  OPERATIONAL_EVENTS_TOPIC,
  retryTierTopic,
} from '@hookline/events';
import {
  type ReceivedRequest,
  type ReceiverAnswer,
  startReceiver,
  type TestReceiver,
} from '@hookline/testing';
import { labelledDeliveryId } from '@hookline/persistence';
import { type DispatcherHarness, startDispatcher } from '../apps/dispatcher/test/dispatcher.harness';
import {
  ensureTierTopics,
  eventually,
  type RecordedMessage,
  recordTopics,
  type RetrySchedulerHarness,
  startRetryScheduler,
  type TopicRecorder,
} from '../apps/retry-scheduler/test/retry-scheduler.harness';

/**
 * The retry path end to end, in one process: a real dispatcher and a real retry scheduler on real
 * Kafka and Postgres, delivering to HTTP receivers on loopback, with each preset's schedule scaled
 * down from minutes and hours to fractions of a second (same shape, same rules).
 */

const user = (n: number) => ({ id: `user_${n}`, email: `user${n}@example.com`, name: `User ${n}` });
const ms = (delays: readonly number[]) => delays.map((delay) => `${delay}ms`).join(',');

/** Answers each delivery by the number of attempts it has had so far (1 for the first). */
function byAttempt(
  brand: string,
  answer: (attempt: number) => ReceiverAnswer,
): (r: ReceivedRequest) => ReceiverAnswer {
  const seen = new Map<string, number>();
  return (request) => {
    const id = String(request.headers[`x-${brand}-delivery`]);
    const attempt = (seen.get(id) ?? 0) + 1;
    seen.set(id, attempt);
    return answer(attempt);
  };
}

/** A dispatcher and a retry scheduler sharing one database and one preset, plus a recorder of what they produce. */
interface RetryRig {
  dispatcher: DispatcherHarness;
  scheduler: RetrySchedulerHarness;
  recorder: TopicRecorder;
  receivers: TestReceiver[];
  brand: string;
  close(): Promise<void>;
}

async function startRig(
  env: Record<string, string>,
  schedulerEnv: Record<string, string> = {},
): Promise<RetryRig> {
  const delays = (env.HOOKLINE_RETRY_SCHEDULE ?? '').split(',').map((d) => Number.parseInt(d, 10));
  await ensureTierTopics(delays);
  const dispatcher = await startDispatcher({ KAFKA_LOG_LEVEL: 'nothing', ...env });
  const scheduler = await startRetryScheduler({
    KAFKA_LOG_LEVEL: 'nothing',
    DATABASE_URL: dispatcher.db.url,
    ...env,
    ...schedulerEnv,
  });
  const tiers = [...new Set(delays)].map(retryTierTopic);
  const recorder = await recordTopics(dispatcher.kafka, [
    ...tiers,
    DELIVERY_TASKS_TOPIC,
    DEAD_LETTER_TOPIC,
    OPERATIONAL_EVENTS_TOPIC,
  ]);
  const receivers: TestReceiver[] = [];
  return {
    dispatcher,
    scheduler,
    recorder,
    receivers,
    brand: dispatcher.config.preset.brand.headerPrefix.toLowerCase().replace(/^x-/, ''),
    async close() {
      await recorder.stop();
      await scheduler.close();
      await dispatcher.close();
      await Promise.all(receivers.map((receiver) => receiver.close()));
    },
  };
}

async function receiverOn(
  rig: RetryRig,
  answer: (request: ReceivedRequest) => ReceiverAnswer,
): Promise<TestReceiver> {
  const receiver = await startReceiver(answer);
  rig.receivers.push(receiver);
  return receiver;
}

interface Attempted {
  readonly deliveryId: string;
  /** Arrival times at the receiver, oldest first. */
  readonly arrivals: number[];
  /** The retry tasks the dispatcher parked for it, by attempt. */
  readonly retries: RecordedMessage[];
}

/** Waits for `count` requests of the receiver's only delivery and collects its retry tasks. */
async function attemptsOf(
  rig: RetryRig,
  receiver: TestReceiver,
  count: number,
  timeoutMs = 60_000,
): Promise<Attempted> {
  const requests = await receiver.waitFor(count, timeoutMs);
  const deliveryId = String(requests[0].headers[`x-${rig.brand}-delivery`]);
  expect(requests.every((r) => r.headers[`x-${rig.brand}-delivery`] === deliveryId)).toBe(true);
  // Every attempt after the first was a retry task first.
  const retries = (
    await rig.recorder.waitFor(
      count - 1,
      (m) => m.value.kind === 'retry' && m.value.deliveryId === deliveryId,
    )
  ).sort((a, b) => Number(a.value.attempt) - Number(b.value.attempt));
  return { deliveryId, arrivals: requests.map((r) => r.at).sort((a, b) => a - b), retries };
}

/**
 * The delivery followed the schedule exactly: retry k waited on the tier of the k-th delay, its due
 * time was that delay (plus at most the jitter) after it was parked, and the attempt it led to was
 * made no earlier than that due time.
 */
function expectSchedule(attempted: Attempted, delays: readonly number[], jitterRatio: number): void {
  const { arrivals, retries } = attempted;
  expect(retries.map((r) => r.value.attempt)).toEqual(arrivals.slice(1).map((_, i) => i + 2));
  retries.forEach((retry, i) => {
    expect(retry.topic).toBe(retryTierTopic(delays[i]));
    const waited = Number(retry.value.dueAt) - retry.timestamp;
    expect(waited).toBeGreaterThanOrEqual(delays[i] - 250);
    expect(waited).toBeLessThanOrEqual(Math.floor(delays[i] * (1 + jitterRatio)) + 1);
    expect(arrivals[i + 1]).toBeGreaterThanOrEqual(Number(retry.value.dueAt));
    expect(arrivals[i + 1]).toBeGreaterThanOrEqual(arrivals[i]);
  });
}

async function recordedAttempts(rig: RetryRig, deliveryId: string): Promise<number[]> {
  const rows: Array<{ attempt_number: number }> = await rig.dispatcher.db.dataSource.query(
    `SELECT attempt_number FROM delivery_attempts WHERE delivery_id = $1 ORDER BY started_at, attempt_number`,
    [deliveryId],
  );
  return rows.map((row) => row.attempt_number);
}

async function deliveryStatus(rig: RetryRig, deliveryId: string): Promise<string | undefined> {
  const rows: Array<{ status: string }> = await rig.dispatcher.db.dataSource.query(
    `SELECT status FROM deliveries WHERE id = $1`,
    [deliveryId],
  );
  return rows[0]?.status;
}

/** The delivery went to the dead-letter topic with all its attempts, and operators were told. */
async function expectExhausted(rig: RetryRig, attempted: Attempted, attempts: number): Promise<void> {
  const [letter] = await rig.recorder.waitFor(
    1,
    (m) => m.topic === DEAD_LETTER_TOPIC && m.value.deliveryId === attempted.deliveryId,
  );
  expect(letter.value).toMatchObject({ kind: 'dead-letter', attempts });
  const history = letter.value.history as Array<{ attempt: number }>;
  expect(history.map((h) => h.attempt)).toEqual(Array.from({ length: attempts }, (_, i) => i + 1));
  const [notice] = await rig.recorder.waitFor(
    1,
    (m) =>
      m.topic === OPERATIONAL_EVENTS_TOPIC &&
      (m.value.data as { delivery_id?: string })?.delivery_id === attempted.deliveryId,
  );
  expect(notice.value).toMatchObject({ type: 'webhook.delivery.exhausted', data: { attempts } });
  await eventually(
    'the delivery to be marked failed',
    async () => (await deliveryStatus(rig, attempted.deliveryId)) === 'failed',
  );
}

const settle = (msToWait: number) => new Promise((resolve) => setTimeout(resolve, msToWait));
// Breakers stay out of the way where a test counts attempts to one failing endpoint.
const NO_BREAKER = { DISPATCHER_BREAKER_MIN_REQUESTS: '100000' };

describe('hookline preset: the Standard Webhooks schedule, with jitter', () => {
  // 5 s, 5 m, 30 m, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, scaled to 200 ms steps.
  const DELAYS = [200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800];
  const TENANT = `ten_hk_${randomBytes(4).toString('hex')}`;
  let rig: RetryRig;

  beforeAll(async () => {
    rig = await startRig({
      HOOKLINE_PRESET: 'hookline',
      HOOKLINE_RETRY_SCHEDULE: ms(DELAYS),
      DISPATCHER_MAX_RETRY_AFTER: '1500ms',
      ...NO_BREAKER,
    });
  });
  afterAll(() => rig?.close());

  it('makes exactly ten attempts in order, none before it is due, then dead-letters the delivery', async () => {
    const receiver = await receiverOn(rig, () => ({ status: 503 }));
    await rig.dispatcher.createEndpoint(TENANT, { url: receiver.url, events: ['user.created'] });
    await rig.dispatcher.publishEvent(TENANT, 'user.created', user(1));

    const attempted = await attemptsOf(rig, receiver, 10);
    await expectExhausted(rig, attempted, 10);
    expectSchedule(attempted, DELAYS, 0.1);
    expect(await recordedAttempts(rig, attempted.deliveryId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await settle(1000);
    expect(receiver.requests).toHaveLength(10);
  });

  it('honours Retry-After on 429, and bounds it', async () => {
    // Asks for 1 s: the retry waits on the 1 s tier instead of the 200 ms one.
    const polite = await receiverOn(
      rig,
      byAttempt(rig.brand, (n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : {})),
    );
    // Asks for an hour: bounded by DISPATCHER_MAX_RETRY_AFTER (1.5 s), i.e. the 1.6 s tier.
    const greedy = await receiverOn(
      rig,
      byAttempt(rig.brand, (n) => (n === 1 ? { status: 429, headers: { 'retry-after': '3600' } } : {})),
    );
    await rig.dispatcher.createEndpoint(TENANT, { url: polite.url, events: ['user.updated'] });
    await rig.dispatcher.createEndpoint(TENANT, { url: greedy.url, events: ['user.updated'] });
    await rig.dispatcher.publishEvent(TENANT, 'user.updated', user(2));

    for (const [receiver, asked, tier] of [
      [polite, 1000, 1000],
      [greedy, 1500, 1600],
    ] as const) {
      const attempted = await attemptsOf(rig, receiver, 2);
      const [retry] = attempted.retries;
      expect(retry.topic).toBe(retryTierTopic(tier));
      expect(attempted.arrivals[1] - attempted.arrivals[0]).toBeGreaterThanOrEqual(asked);
      expect(attempted.arrivals[1]).toBeGreaterThanOrEqual(Number(retry.value.dueAt));
      await eventually(
        'the delivery to succeed',
        async () => (await deliveryStatus(rig, attempted.deliveryId)) === 'succeeded',
      );
    }
  });
});

describe('appmint preset: immediately, then 1 min … 24 h', () => {
  // Immediately, 1 m, 5 m, 15 m, 1 h, 6 h, 24 h, scaled to 300 ms steps.
  const DELAYS = [0, 300, 600, 900, 1200, 1500, 1800];
  const TENANT = `ten_am_${randomBytes(4).toString('hex')}`;
  let rig: RetryRig;

  beforeAll(async () => {
    rig = await startRig({ HOOKLINE_PRESET: 'appmint', HOOKLINE_RETRY_SCHEDULE: ms(DELAYS), ...NO_BREAKER });
  });
  afterAll(() => rig?.close());

  it('makes exactly eight attempts in order, the first retry immediately, then dead-letters the delivery', async () => {
    const receiver = await receiverOn(rig, () => ({ status: 500 }));
    await rig.dispatcher.createEndpoint(TENANT, { url: receiver.url, events: ['user.created'] });
    await rig.dispatcher.publishEvent(TENANT, 'user.created', user(1));

    const attempted = await attemptsOf(rig, receiver, 8);
    await expectExhausted(rig, attempted, 8);
    expectSchedule(attempted, DELAYS, 0);
    expect(attempted.retries[0].topic).toBe('hookline.retry.0s');
    expect(await recordedAttempts(rig, attempted.deliveryId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await settle(1000);
    expect(receiver.requests).toHaveLength(8);
  });

  it('stops retrying once the third attempt succeeds', async () => {
    const receiver = await receiverOn(
      rig,
      byAttempt(rig.brand, (n) => (n < 3 ? { status: 503 } : {})),
    );
    await rig.dispatcher.createEndpoint(TENANT, { url: receiver.url, events: ['user.updated'] });
    await rig.dispatcher.publishEvent(TENANT, 'user.updated', user(2));

    const attempted = await attemptsOf(rig, receiver, 3);
    expectSchedule(attempted, DELAYS, 0);
    await eventually(
      'the delivery to succeed',
      async () => (await deliveryStatus(rig, attempted.deliveryId)) === 'succeeded',
    );
    // Longer than the next two delays together: nothing more may come.
    await settle(DELAYS[2] + DELAYS[3] + 1000);
    expect(receiver.requests).toHaveLength(3);
    expect(
      rig.recorder.messages.filter(
        (m) => m.value.deliveryId === attempted.deliveryId && m.value.kind === 'retry',
      ),
    ).toHaveLength(2);
    expect(await recordedAttempts(rig, attempted.deliveryId)).toEqual([1, 2, 3]);
  });
});

describe('hackmamba preset: up to 3 retries at 1, 5 and 15 min, for any non-2xx', () => {
  const DELAYS = [200, 1000, 3000];
  const TENANT = `ten_hm_${randomBytes(4).toString('hex')}`;
  let rig: RetryRig;

  beforeAll(async () => {
    rig = await startRig(
      { HOOKLINE_PRESET: 'hackmamba', HOOKLINE_RETRY_SCHEDULE: ms(DELAYS), ...NO_BREAKER },
      {
        RETRY_DISABLE_AFTER: '1h',
        RETRY_DISABLE_SLICES: '5',
        RETRY_DISABLE_MIN_FAILED_SLICES: '3',
        RETRY_DISABLE_SWEEP_INTERVAL: '300ms',
      },
    );
  });
  afterAll(() => rig?.close());

  it('retries a 400 three times, in order and never early, then dead-letters the delivery', async () => {
    const receiver = await receiverOn(rig, () => ({ status: 400 }));
    await rig.dispatcher.createEndpoint(TENANT, { url: receiver.url, events: ['user.created'] });
    await rig.dispatcher.publishEvent(TENANT, 'user.created', user(1));

    const attempted = await attemptsOf(rig, receiver, 4);
    await expectExhausted(rig, attempted, 4);
    expectSchedule(attempted, DELAYS, 0);
    expect(await recordedAttempts(rig, attempted.deliveryId)).toEqual([1, 2, 3, 4]);
    await settle(1000);
    expect(receiver.requests).toHaveLength(4);
  });

  it('disables an endpoint that answers 410 and another whose deliveries failed for the whole window, and says so', async () => {
    const gone = await receiverOn(rig, () => ({ status: 410 }));
    const goneEndpoint = await rig.dispatcher.createEndpoint(TENANT, {
      url: gone.url,
      events: ['user.deleted'],
    });
    // Every delivery to this one failed over the last hour (seeded: one failure per 12-minute part).
    const failing = await rig.dispatcher.createEndpoint(TENANT, {
      url: 'https://example.test/hook',
      events: ['payment.succeeded'],
    });
    const hour = Date.now() - 3_600_000;
    await rig.dispatcher.db.dataSource.query(`UPDATE endpoints SET updated_at = $2 WHERE id = $1`, [
      failing.id,
      new Date(hour - 60_000),
    ]);
    for (const minute of [3, 15, 27, 39, 54]) {
      const deliveryId = labelledDeliveryId(randomBytes(6).toString('hex'));
      const at = new Date(hour + minute * 60_000);
      await rig.dispatcher.db.dataSource.query(
        `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count) VALUES ($1, $2, $3, 'evt_old', 'failed', 4)`,
        [deliveryId, TENANT, failing.id],
      );
      await rig.dispatcher.db.dataSource.query(
        `INSERT INTO delivery_attempts (send_id, delivery_id, tenant_id, endpoint_id, event_id, attempt_number,
           status_code, duration_ms, error_class, started_at, finished_at)
         VALUES (gen_random_uuid()::text, $1, $2, $3, 'evt_old', 1, 502, 5, 'http_502', $4, $4)`,
        [deliveryId, TENANT, failing.id, at],
      );
    }

    await rig.dispatcher.publishEvent(TENANT, 'user.deleted', user(3));
    const [first] = await gone.waitFor(1, 20_000);
    const disabledEvents = await rig.recorder.waitFor(
      2,
      (m) =>
        m.topic === OPERATIONAL_EVENTS_TOPIC &&
        m.value.type === 'endpoint.disabled' &&
        m.value.tenantId === TENANT,
    );
    expect(disabledEvents.map((m) => (m.value.data as { endpoint_id: string }).endpoint_id).sort()).toEqual(
      [goneEndpoint.id, failing.id].sort(),
    );
    // The events go out just before the change commits: the database may take a moment to show it.
    const stored = async () => {
      const rows: Array<{ id: string; active: boolean; disabled_reason: string }> =
        await rig.dispatcher.db.dataSource.query(
          `SELECT id, active, disabled_reason FROM endpoints WHERE id = ANY($1) ORDER BY id`,
          [[goneEndpoint.id, failing.id]],
        );
      return Object.fromEntries(rows.map((row) => [row.id, [row.active, row.disabled_reason]]));
    };
    await eventually('both endpoints to be stored disabled', async () =>
      Object.values(await stored()).every(([active]) => active === false),
    );
    expect(await stored()).toEqual({
      [goneEndpoint.id]: [false, 'the endpoint answered 410 Gone'],
      [failing.id]: [false, 'no delivery succeeded for 1h'],
    });

    // 410 is final: no retry, and the disabled endpoint gets nothing more until re-enabled.
    expect(
      rig.recorder.messages.filter((m) => m.value.kind === 'retry' && m.value.endpointId === goneEndpoint.id),
    ).toEqual([]);
    await rig.dispatcher.publishEvent(TENANT, 'user.deleted', user(4));
    await settle(1500);
    expect(gone.requests).toEqual([first]);
  });
});

describe('one endpoint failing every attempt beside nine healthy ones', () => {
  const DELAYS = [300, 600, 1000, 2000];
  const TENANT = `ten_iso_${randomBytes(4).toString('hex')}`;
  let rig: RetryRig;

  beforeAll(async () => {
    // Default breaker thresholds, with a short reset so its probes keep failing (and retrying) meanwhile.
    rig = await startRig({
      HOOKLINE_PRESET: 'hookline',
      HOOKLINE_RETRY_SCHEDULE: ms(DELAYS),
      DISPATCHER_BREAKER_RESET: '1s',
      HOOKLINE_DEFER_DELAY: '1s',
    });
  });
  afterAll(() => rig?.close());

  it("does not slow the healthy endpoints' deliveries down", async () => {
    let failing = false;
    const bad = await receiverOn(rig, () => (failing ? { status: 503, delayMs: 300 } : {}));
    const healthy: TestReceiver[] = [];
    for (let i = 0; i < 9; i += 1) healthy.push(await receiverOn(rig, () => ({})));
    const badEndpoint = await rig.dispatcher.createEndpoint(TENANT, {
      url: bad.url,
      events: ['user.created'],
    });
    for (const receiver of healthy)
      await rig.dispatcher.createEndpoint(TENANT, { url: receiver.url, events: ['user.created'] });

    /** Publishes `count` events 100 ms apart; returns when each was accepted, by event id. */
    const publish = async (count: number, offset: number) => {
      const accepted = new Map<string, number>();
      for (let i = 0; i < count; i += 1) {
        const event = await rig.dispatcher.publishEvent(TENANT, 'user.created', user(offset + i));
        accepted.set(event.event.id, event.acceptedAt);
        await settle(100);
      }
      return accepted;
    };
    const latencies = (accepted: Map<string, number>) =>
      healthy
        .flatMap((receiver) =>
          receiver.requests
            .map((r) => ({ at: r.at, id: (JSON.parse(r.body.toString()) as { id: string }).id }))
            .filter((r) => accepted.has(r.id))
            .map((r) => r.at - (accepted.get(r.id) as number)),
        )
        .sort((a, b) => a - b);
    const percentile = (sorted: number[], p: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

    // Baseline: every endpoint healthy.
    const before = await publish(30, 0);
    await Promise.all(healthy.map((receiver) => receiver.waitFor(30, 30_000)));

    // Then one endpoint fails every attempt; once its retries are under way, measure again.
    failing = true;
    await publish(10, 100);
    await rig.recorder.waitFor(
      5,
      (m) => m.topic === DELIVERY_TASKS_TOPIC && m.value.endpointId === badEndpoint.id,
    );
    const measureFrom = Date.now();
    const during = await publish(30, 200);
    const measureTo = Date.now();
    await Promise.all(healthy.map((receiver) => receiver.waitFor(70, 30_000)));

    // The failing endpoint's retries really were flowing while the healthy deliveries were measured.
    const retriesMeanwhile = rig.recorder.messages.filter(
      (m) =>
        m.topic === DELIVERY_TASKS_TOPIC &&
        m.value.endpointId === badEndpoint.id &&
        m.timestamp >= measureFrom &&
        m.timestamp <= measureTo,
    );
    expect(retriesMeanwhile.length).toBeGreaterThanOrEqual(10);

    const baseline = latencies(before);
    const underLoad = latencies(during);
    expect([baseline.length, underLoad.length]).toEqual([9 * 30, 9 * 30]);
    // About as fast as when nothing failed, typically and at the tail.
    expect(percentile(underLoad, 0.5)).toBeLessThanOrEqual(2 * percentile(baseline, 0.5) + 100);
    expect(percentile(underLoad, 0.95)).toBeLessThanOrEqual(2 * percentile(baseline, 0.95) + 250);
    // Every healthy delivery succeeded at its first attempt: none was deferred or retried. A request
    // arrives before its outcome is recorded, so the log is read once it has caught up.
    const succeeded = async () =>
      (await rig.dispatcher.db.dataSource.query(
        `SELECT max(attempt_count) AS attempts, count(*) AS deliveries FROM deliveries
          WHERE tenant_id = $1 AND endpoint_id <> $2 AND status = 'succeeded'`,
        [TENANT, badEndpoint.id],
      )) as Array<{ attempts: number; deliveries: string }>;
    const deadline = Date.now() + 30_000;
    let rows = await succeeded();
    while (Number(rows[0].deliveries) < 9 * 70 && Date.now() < deadline) {
      await settle(100);
      rows = await succeeded();
    }
    expect([rows[0].attempts, Number(rows[0].deliveries)]).toEqual([1, 9 * 70]);
  });
});
