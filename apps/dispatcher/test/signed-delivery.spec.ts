import { randomBytes } from 'node:crypto';
import {
  appmintVerifySignature,
  appmintVerifyWebhookSignature,
  hackmambaVerifyWebhookSignature,
  startReceiver,
  type ReceivedRequest,
  type TestReceiver,
} from '@hookline/testing';
import { Webhook } from 'standardwebhooks';
import { type DispatcherHarness, startDispatcher } from './dispatcher.harness';

const PAGE_SECRET = 'your-webhook-secret';
const user = (n: number) => ({ id: `user_${n}`, email: `user${n}@example.com`, name: `User ${n}` });

const TEN_A = `ten_a_${randomBytes(4).toString('hex')}`;
const TEN_B = `ten_b_${randomBytes(4).toString('hex')}`;
const TEN_C = `ten_c_${randomBytes(4).toString('hex')}`;

describe('signed delivery (real Kafka, Postgres and HTTP receivers)', () => {
  let harness: DispatcherHarness;
  const receivers: Record<string, TestReceiver> = {};

  beforeAll(async () => {
    harness = await startDispatcher({ HOOKLINE_PRESET: 'appmint' });
    for (const name of ['created', 'users', 'payments', 'other']) receivers[name] = await startReceiver();
  });
  afterAll(async () => {
    await harness?.close();
    await Promise.all(Object.values(receivers).map((r) => r.close()));
  });

  it('delivers every event to every subscribed endpoint of its tenant, signed over the exact bytes', async () => {
    const created = await harness.createEndpoint(TEN_A, {
      url: receivers.created.url,
      events: ['user.created'],
      secret: PAGE_SECRET,
      headers: {
        Authorization: 'Bearer your-api-token',
        'X-Custom-Header': 'value',
        'X-Appmint-Signature': 'forged',
      },
    });
    const users = await harness.createEndpoint(TEN_A, { url: receivers.users.url, events: ['user.*'] });
    await harness.createEndpoint(TEN_A, { url: receivers.payments.url, events: ['payment.succeeded'] });
    await harness.createEndpoint(TEN_B, { url: receivers.other.url, events: ['*'] });

    const sent = [
      await harness.publishEvent(TEN_A, 'user.created', user(1)),
      await harness.publishEvent(TEN_A, 'user.created', user(2)),
      await harness.publishEvent(TEN_A, 'user.updated', user(1)),
      await harness.publishEvent(TEN_A, 'payment.succeeded', { id: 'pay_1', amount: 2999, currency: 'usd' }),
    ];

    const [toCreated, toUsers, toPayments] = await Promise.all([
      receivers.created.waitFor(2, 20_000),
      receivers.users.waitFor(3, 20_000),
      receivers.payments.waitFor(1, 20_000),
    ]);

    const ids = (requests: ReceivedRequest[]) => requests.map((r) => JSON.parse(r.body.toString()).id).sort();
    expect(ids(toCreated)).toEqual([sent[0].event.id, sent[1].event.id].sort());
    expect(ids(toUsers)).toEqual([sent[0].event.id, sent[1].event.id, sent[2].event.id].sort());
    expect(ids(toPayments)).toEqual([sent[3].event.id]);

    for (const request of toCreated) {
      const signature = request.headers['x-appmint-signature'] as string;
      // The receivers exactly as the pages print them accept the signature over the raw body.
      expect(appmintVerifySignature(request.body, signature, PAGE_SECRET)).toBe(true);
      expect(appmintVerifyWebhookSignature(request.body, signature, PAGE_SECRET)).toBe(true);
      expect(hackmambaVerifyWebhookSignature(request.body, signature, PAGE_SECRET)).toBe(true);
      // A plain (non-whsec_) secret is keyed by its bytes, which standardwebhooks calls the raw format.
      const raw = new Webhook(Buffer.from(PAGE_SECRET).toString('base64'));
      expect(() =>
        raw.verify(request.body.toString(), request.headers as Record<string, string>),
      ).not.toThrow();
      const body = JSON.parse(request.body.toString());
      expect(request.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': 'Appmint-Webhooks/1.0',
        'x-appmint-event-type': 'user.created',
        'x-appmint-event-id': body.id,
        authorization: 'Bearer your-api-token',
        'x-custom-header': 'value',
      });
      expect(request.headers['x-appmint-delivery']).toMatch(/^delivery_/);
      expect(body).toMatchObject({
        type: 'user.created',
        api_version: '2024-01-01',
        livemode: true,
        previous_attributes: {},
      });
      expect(body.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      // user.created matched two endpoints of ten_a.
      expect(body.pending_webhooks).toBe(2);
    }
    for (const request of toUsers) {
      expect(() =>
        new Webhook(users.secret).verify(request.body.toString(), request.headers as Record<string, string>),
      ).not.toThrow();
      expect(
        hackmambaVerifyWebhookSignature(
          request.body,
          request.headers['x-appmint-signature'] as string,
          users.secret,
        ),
      ).toBe(true);
    }
    // Each delivery has its own id; one event to two endpoints is two deliveries.
    const deliveryIds = [...toCreated, ...toUsers, ...toPayments].map((r) => r.headers['x-appmint-delivery']);
    expect(new Set(deliveryIds).size).toBe(deliveryIds.length);

    // The other tenant's endpoint, subscribed to everything, got nothing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receivers.other.requests).toHaveLength(0);

    // Every attempt is recorded (in batches, just after the answer), without the customer's credentials.
    type AttemptRow = { endpoint_id: string; status_code: number; request_headers: Record<string, string> };
    let attempts: AttemptRow[] = [];
    for (let deadline = Date.now() + 15_000; attempts.length < 6 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      attempts = await harness.db.dataSource.query(
        `SELECT endpoint_id, status_code, request_headers FROM delivery_attempts WHERE tenant_id = $1`,
        [TEN_A],
      );
    }
    expect(attempts).toHaveLength(6);
    expect(attempts.every((a) => a.status_code === 200)).toBe(true);
    const createdAttempt = attempts.find((a) => a.endpoint_id === created.id);
    expect(JSON.stringify(createdAttempt?.request_headers)).not.toContain('your-api-token');
    const deliveries: Array<{ status: string }> = await harness.db.dataSource.query(
      `SELECT status FROM deliveries WHERE tenant_id = $1`,
      [TEN_A],
    );
    expect(deliveries.map((d) => d.status)).toEqual(Array(6).fill('succeeded'));
    const events: Array<{ count: string }> = await harness.db.dataSource.query(
      `SELECT count(*) FROM events WHERE tenant_id = $1`,
      [TEN_A],
    );
    expect(Number(events[0].count)).toBe(4);

    // The deliveries are counted, and the alerting gauges are published.
    const metrics = await (await fetch(`${harness.service.url}/metrics`)).text();
    const delivered =
      /^hookline_deliveries_total\{(?=[^}]*outcome="delivered")(?=[^}]*status_class="2xx")[^}]*\} (\d+)/m.exec(
        metrics,
      );
    expect(Number(delivered?.[1])).toBeGreaterThanOrEqual(6);
    expect(metrics).toMatch(/^hookline_oldest_undelivered_seconds\{[^}]*\} \d/m);
    expect(metrics).toMatch(
      /^hookline_consumer_lag\{(?=[^}]*topic="hookline\.events\.user\.created")[^}]*\} \d+/m,
    );
    expect(metrics).toMatch(
      /^hookline_record_batch_duration_seconds_count\{[^}]*table="delivery_attempts"[^}]*\} [1-9]/m,
    );
  });

  it('stops delivering to an endpoint once it is disabled or unsubscribed', async () => {
    const receiver = receivers.other;
    const endpoint = await harness.createEndpoint(TEN_C, { url: receiver.url, events: ['file.uploaded'] });
    await harness.publishEvent(TEN_C, 'file.uploaded', { id: 'file_1' });
    await receiver.waitFor(1, 20_000, (r) => JSON.parse(r.body.toString()).type === 'file.uploaded');

    await harness.updateEndpoint(endpoint.id, { active: false });
    await harness.publishEvent(TEN_C, 'file.uploaded', { id: 'file_2' });
    await harness.updateEndpoint(endpoint.id, { active: true, events: ['file.deleted'] });
    await harness.publishEvent(TEN_C, 'file.uploaded', { id: 'file_3' });
    const marker = await harness.publishEvent(TEN_C, 'file.deleted', { id: 'file_4' });

    await receiver.waitFor(1, 20_000, (r) => JSON.parse(r.body.toString()).id === marker.event.id);
    const uploads = receiver.requests.filter((r) => JSON.parse(r.body.toString()).type === 'file.uploaded');
    expect(uploads.map((r) => JSON.parse(r.body.toString()).data.id)).toEqual(['file_1']);
  });
});
