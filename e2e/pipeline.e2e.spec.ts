import { newEventId } from '@hookline/events';
import { createIngestProducer, createKafka } from '@hookline/kafka';
import {
  appmintVerifySignature,
  hackmambaVerifyWebhookSignature,
  startReceiver,
  type ReceivedRequest,
  type TestReceiver,
} from '@hookline/testing';
import { Webhook } from 'standardwebhooks';
import {
  call,
  createMigratedDatabase,
  createTopics,
  loopbackPlatformEnv,
  type ServiceProcess,
  startOwnBroker,
  startService,
} from './support/platform';

/**
 * The whole pipeline as separate processes on real Kafka and Postgres: customers register
 * endpoints through the subscription API, events arrive over REST and through the ingest topic, and
 * the dispatcher is SIGKILLed in the middle of the stream and restarted. Every subscribed receiver
 * must still get every event, signed so the pages' receiver code and `standardwebhooks` verify it.
 */
const KAFKA_PORT = 31292;
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const PAGE_SECRET = 'your-webhook-secret';

describe('ingest → per-type topics → dispatcher → endpoints', () => {
  let broker: Awaited<ReturnType<typeof startOwnBroker>>;
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let env: Record<string, string>;
  const services: ServiceProcess[] = [];
  const receivers: Record<'users' | 'created' | 'payments' | 'unsubscribed', TestReceiver> = {} as never;

  beforeAll(async () => {
    broker = await startOwnBroker(KAFKA_PORT);
    database = await createMigratedDatabase(`hookline_e2e_pipeline_${process.pid}`);
    env = {
      ...loopbackPlatformEnv(broker.brokers, database.url, ADMIN),
      HOOKLINE_PRESET: 'appmint',
      // A dispatcher killed mid-attempt leaves its claims until their lease (the attempt timeout + the
      // queue wait + 15 s) runs out; the restarted one looks again after the defer delay, through the
      // retry scheduler. Short settings keep that within the test's patience.
      HOOKLINE_ATTEMPT_TIMEOUT: '5s',
      DISPATCHER_MAX_QUEUE_WAIT: '1s',
      HOOKLINE_DEFER_DELAY: '2s',
    };
    createTopics(env);
    for (const name of ['users', 'created', 'payments', 'unsubscribed'] as const)
      receivers[name] = await startReceiver();
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop().catch(() => undefined)));
    await Promise.all(Object.values(receivers).map((r) => r.close()));
    await database?.drop();
    await broker?.stop();
  });

  let subscription: ServiceProcess;
  let ingest: ServiceProcess;
  let dispatcher: ServiceProcess;

  it('delivers every event, signed, to every subscribed endpoint, through a SIGKILL of the dispatcher', async () => {
    subscription = await startService('subscription', env);
    // As behind an Ingress, which sends every `/v1/events` request to ingest: the event log is forwarded.
    ingest = await startService('ingest', { ...env, INGEST_EVENT_LOG_UPSTREAM: subscription.url });
    dispatcher = await startService('dispatcher', env);
    const retryScheduler = await startService('retry-scheduler', env);
    services.push(subscription, ingest, retryScheduler);

    const tenant = await call(
      'POST',
      `${subscription.url}/v1/admin/tenants`,
      { name: 'acme' },
      { authorization: `Bearer ${ADMIN}` },
    );
    expect(tenant.status).toBe(201);
    const minted = await call(
      'POST',
      `${subscription.url}/v1/admin/tenants/${tenant.body.id}/api-keys`,
      {},
      {
        authorization: `Bearer ${ADMIN}`,
      },
    );
    const auth = { authorization: `Bearer ${minted.body.key}` };
    const register = async (url: string, events: string[], secret?: string) => {
      const created = await call(
        'POST',
        `${subscription.url}/v1/webhooks`,
        { url, events, ...(secret ? { secret } : {}) },
        auth,
      );
      expect(created.status).toBe(201);
      return created.body as { id: string; secret: string };
    };
    const users = await register(receivers.users.url, ['user.*']);
    await register(receivers.created.url, ['user.created'], PAGE_SECRET);
    const payments = await register(receivers.payments.url, ['payment.succeeded']);
    await register(receivers.unsubscribed.url, ['project.created']);
    // The dispatcher's view follows the changelog within moments.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const sent: Array<{ id: string; type: string }> = [];
    const send = async (type: string, data: Record<string, unknown>) => {
      const answer = await call('POST', `${ingest.url}/v1/events`, { type, data }, auth);
      expect(answer.status).toBe(202);
      sent.push({ id: answer.body.id, type });
    };

    for (let i = 0; i < 30; i += 1) {
      await send(i % 3 === 0 ? 'user.updated' : 'user.created', {
        id: `user_${i}`,
        email: `u${i}@example.com`,
        name: `U ${i}`,
      });
    }
    // Kill the dispatcher while the stream is flowing: no shutdown hook, no final commit.
    await receivers.users.waitFor(5, 30_000);
    await dispatcher.kill();

    // Events keep arriving while it is down, over REST and through the ingest topic.
    const batch = await call(
      'POST',
      `${ingest.url}/v1/events`,
      Array.from({ length: 10 }, (_, i) => ({
        type: 'payment.succeeded',
        data: { id: `pay_${i}`, amount: 100 + i, currency: 'usd' },
      })),
      auth,
    );
    expect(batch.status).toBe(202);
    for (const entry of batch.body.data as Array<{ id: string }>)
      sent.push({ id: entry.id, type: 'payment.succeeded' });

    const kafka = createKafka({
      brokers: [broker.brokers],
      clientId: 'e2e-domain-service',
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 30_000,
      logLevel: 'error',
    });
    const producer = createIngestProducer(kafka, { tenantId: tenant.body.id });
    await producer.connect();
    const viaKafka = Array.from({ length: 10 }, (_, i) => ({
      type: 'user.created',
      id: newEventId(),
      data: { id: `user_k${i}`, email: `k${i}@example.com`, name: `K ${i}` },
    }));
    await producer.publish(viaKafka);
    await producer.disconnect();
    for (const event of viaKafka) sent.push({ id: event.id, type: 'user.created' });

    dispatcher = await startService('dispatcher', env);
    services.push(dispatcher);

    const expectEvents = async (receiver: TestReceiver, ids: string[]) => {
      expect(await missingAfterWaiting(receiver, ids, 60_000)).toEqual([]);
    };
    const userEvents = sent.filter((e) => e.type.startsWith('user.')).map((e) => e.id);
    const createdEvents = sent.filter((e) => e.type === 'user.created').map((e) => e.id);
    const paymentEvents = sent.filter((e) => e.type === 'payment.succeeded').map((e) => e.id);
    await expectEvents(receivers.users, userEvents);
    await expectEvents(receivers.created, createdEvents);
    await expectEvents(receivers.payments, paymentEvents);
    expect(receivers.unsubscribed.requests).toHaveLength(0);
    // The event log read through ingest is the subscription API's own answer.
    const direct = await call('GET', `${subscription.url}/v1/events?limit=5`, undefined, auth);
    const forwarded = await call('GET', `${ingest.url}/v1/events?limit=5`, undefined, auth);
    expect(direct.status).toBe(200);
    expect(forwarded).toMatchObject({ status: 200, body: direct.body });
    expect((await call('GET', `${ingest.url}/v1/events`, undefined, {})).status).toBe(401);

    // Duplicates are allowed after a crash (at-least-once); they are counted, and carry the same delivery id.
    const duplicates =
      receivers.users.requests.length - new Set(receivers.users.requests.map((r) => bodyOf(r).id)).size;
    const perDelivery = new Map<string, Set<string>>();
    for (const r of receivers.users.requests) {
      const set = perDelivery.get(bodyOf(r).id) ?? new Set();
      set.add(r.headers['x-appmint-delivery'] as string);
      perDelivery.set(bodyOf(r).id, set);
    }
    expect([...perDelivery.values()].every((ids) => ids.size === 1)).toBe(true);
    process.stdout.write(
      `pipeline e2e: ${sent.length} events, ${duplicates} duplicate deliveries after the SIGKILL\n`,
    );

    // Signatures verify with the pages' own receiver code and with standardwebhooks.
    for (const r of receivers.created.requests) {
      const signature = r.headers['x-appmint-signature'] as string;
      expect(appmintVerifySignature(r.body, signature, PAGE_SECRET)).toBe(true);
      expect(hackmambaVerifyWebhookSignature(r.body, signature, PAGE_SECRET)).toBe(true);
    }
    for (const r of receivers.users.requests) {
      expect(() =>
        new Webhook(users.secret).verify(r.body.toString(), r.headers as Record<string, string>),
      ).not.toThrow();
    }
    for (const r of receivers.payments.requests) {
      expect(
        hackmambaVerifyWebhookSignature(r.body, r.headers['x-appmint-signature'] as string, payments.secret),
      ).toBe(true);
    }
  });
  it('counts in its metrics exactly what receivers got; SIGTERM under load loses nothing and exits in time', async () => {
    const receiver = await startReceiver(() => ({ delayMs: 20 }));
    try {
      const auth = await newTenantKey('metrics');
      await call('POST', `${subscription.url}/v1/webhooks`, { url: receiver.url, events: ['file.*'] }, auth);
      await new Promise((resolve) => setTimeout(resolve, 1000));

      const accepted = () =>
        counter(ingest, 'hookline_events_ingested_total', { type: 'file.uploaded', result: 'accepted' });
      const delivered = () => counter(dispatcher, 'hookline_deliveries_total', { outcome: 'delivered' });
      const acceptedBefore = await accepted();
      const deliveredBefore = await delivered();
      const ids: string[] = [];
      const sendBatch = async (from: number) => {
        const batch = Array.from({ length: 50 }, (_, i) => ({
          type: 'file.uploaded',
          data: { id: `file_${from + i}` },
        }));
        const answer = await call('POST', `${ingest.url}/v1/events`, batch, auth);
        expect(answer.status).toBe(202);
        ids.push(...(answer.body.data as Array<{ id: string }>).map((e) => e.id));
      };
      await sendBatch(0);
      await sendBatch(50);
      await receiver.waitFor(100, 60_000);
      // Give the last attempts' counters a moment: they are incremented once the attempt is recorded.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await accepted()).toBe(acceptedBefore + 100);
      expect(await delivered()).toBe(deliveredBefore + receiver.requests.length);

      // SIGTERM while deliveries are in flight: the dispatcher finishes or hands back its work and exits in time.
      await sendBatch(100);
      await sendBatch(150);
      await receiver.waitFor(110, 30_000);
      const stopping = Date.now();
      const code = await dispatcher.stop();
      const tookMs = Date.now() - stopping;
      expect(code).toBe(0);
      expect(tookMs).toBeLessThan(25_000);
      dispatcher = await startService('dispatcher', env);
      services.push(dispatcher);
      expect(await missingAfterWaiting(receiver, ids, 60_000)).toEqual([]);
      const all = new Set(ids);
      process.stdout.write(
        `pipeline e2e: SIGTERM under load took ${tookMs} ms; ${receiver.requests.length - all.size} duplicates\n`,
      );
    } finally {
      await receiver.close();
    }
  });

  it("runs the Hackmamba page's curl sequence; the test event and a redelivery reach the receiver", async () => {
    const receiver = await startReceiver();
    try {
      const auth = await newTenantKey('hm');
      // Register, exactly the page's body (its URL aside).
      const registered = await call(
        'POST',
        `${subscription.url}/v1/webhooks`,
        { url: receiver.url, events: ['user.created', 'user.updated'], secret: PAGE_SECRET },
        auth,
      );
      expect(registered.status).toBe(201);
      const id = registered.body.id as string;
      const listed = await call('GET', `${subscription.url}/v1/webhooks`, undefined, auth);
      expect(listed.body.data.map((w: { id: string }) => w.id)).toEqual([id]);
      const updated = await call(
        'PUT',
        `${subscription.url}/v1/webhooks/${id}`,
        { events: ['user.created', 'user.updated', 'user.deleted'] },
        auth,
      );
      expect(updated.status).toBe(200);
      expect(updated.body.events).toEqual(['user.created', 'user.updated', 'user.deleted']);

      const test = await call('POST', `${subscription.url}/v1/webhooks/${id}/test`, undefined, auth);
      expect(test.status).toBe(202);
      const [first] = await receiver.waitFor(1, 30_000);
      const body = JSON.parse(first.body.toString());
      expect(body).toMatchObject({ type: 'user.created', livemode: false });
      expect(first.headers['x-appmint-delivery']).toBe(test.body.id);
      expect(
        hackmambaVerifyWebhookSignature(
          first.body,
          first.headers['x-appmint-signature'] as string,
          PAGE_SECRET,
        ),
      ).toBe(true);

      // The delivery log shows the attempt; a redelivery goes out again through the same path.
      let detail = await call('GET', `${subscription.url}/v1/deliveries/${test.body.id}`, undefined, auth);
      for (let i = 0; i < 50 && detail.body.status !== 'succeeded'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        detail = await call('GET', `${subscription.url}/v1/deliveries/${test.body.id}`, undefined, auth);
      }
      expect(detail.body).toMatchObject({ status: 'succeeded', response_code: 200, response_body: 'OK' });
      const redelivered = await call(
        'POST',
        `${subscription.url}/v1/deliveries/${test.body.id}/redeliver`,
        undefined,
        auth,
      );
      expect(redelivered.status).toBe(202);
      const [, second] = await receiver.waitFor(2, 30_000);
      expect(JSON.parse(second.body.toString()).id).toBe(body.id);
      expect(second.headers['x-appmint-delivery']).toBe(test.body.id);

      const deleted = await call('DELETE', `${subscription.url}/v1/webhooks/${id}`, undefined, auth);
      expect(deleted.status).toBe(200);
    } finally {
      await receiver.close();
    }
  });

  async function newTenantKey(name: string): Promise<{ authorization: string }> {
    const admin = { authorization: `Bearer ${ADMIN}` };
    const tenant = await call('POST', `${subscription.url}/v1/admin/tenants`, { name }, admin);
    const minted = await call(
      'POST',
      `${subscription.url}/v1/admin/tenants/${tenant.body.id}/api-keys`,
      {},
      admin,
    );
    return { authorization: `Bearer ${minted.body.key}` };
  }
});

/** Sum of a counter's samples whose labels include every pair in `labels`. */
async function counter(
  service: ServiceProcess,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/**
 * Waits until `receiver` got every event of `ids` and returns those still missing at the deadline.
 * Distinct events are counted: repeats of deliveries in flight at a crash may arrive first.
 */
async function missingAfterWaiting(
  receiver: TestReceiver,
  ids: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  const missing = () => {
    const got = new Set(receiver.requests.map((r) => bodyOf(r).id));
    return ids.filter((id) => !got.has(id));
  };
  const deadline = Date.now() + timeoutMs;
  while (missing().length > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  return missing();
}

function bodyOf(request: ReceivedRequest): { id: string; type: string } {
  return JSON.parse(request.body.toString());
}
