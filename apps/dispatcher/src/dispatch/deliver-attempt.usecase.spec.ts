import type { AttemptRecord, AttemptRecorder } from '@hookline/persistence';
import { PRESETS } from '@hookline/presets';
import { Registry } from 'prom-client';
import type { SendRequest, SendResult, Sender } from '../delivery/http-sender';
import { DeliverAttempt, deferralDelay } from './deliver-attempt.usecase';
import { DispatcherMetrics } from './dispatcher.metrics';
import type { EndpointDisabler } from './endpoint-disabler';
import { EndpointGates } from './endpoint-gates';
import type { RetryHandoff } from './retry-handoff';

const request = {
  deliveryId: 'delivery_1',
  tenantId: 'ten_1',
  eventId: 'evt_1',
  eventType: 'user.created',
  attempt: 1,
  claimToken: 'hookline.events.user.created/0/7',
  body: Buffer.from('{}'),
  endpoint: {
    id: 'wh_1',
    tenantId: 'ten_1',
    url: 'https://example.com/hook',
    events: ['*'],
    active: true,
    secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
    headers: {},
    legacyPlaintext: false,
    version: 1,
  },
};

function setup(recordFails: (attempt: AttemptRecord) => Error | undefined) {
  const sent: SendRequest[] = [];
  const sender: Sender = {
    async send(req): Promise<SendResult> {
      sent.push(req);
      return { kind: 'response', status: 200, headers: {}, bodyExcerpt: 'OK', durationMs: 1 };
    },
  };
  const recorded: AttemptRecord[] = [];
  const recordCalls: AttemptRecord[] = [];
  const recorder: AttemptRecorder = {
    async record(attempt) {
      recordCalls.push(attempt);
      const failure = recordFails(attempt);
      if (failure) throw failure;
      recorded.push(attempt);
    },
    async defer() {
      throw new Error('no deferral expected');
    },
  };
  const gates = new EndpointGates({
    maxInFlight: 4,
    maxQueued: 4,
    maxQueueWaitMs: 10_000,
    breaker: {
      errorThresholdPercentage: 50,
      volumeThreshold: 10,
      resetTimeoutMs: 1000,
      rollingWindowMs: 10_000,
    },
  });
  const deliver = new DeliverAttempt(
    sender,
    gates,
    recorder,
    {} as RetryHandoff,
    {} as EndpointDisabler,
    PRESETS.hookline,
    { maxRetryAfterMs: 3_600_000 },
    new DispatcherMetrics(new Registry()),
  );
  return { deliver, sent, recorded, recordCalls, gates };
}

describe('DeliverAttempt', () => {
  it('does not send a settled attempt again when its message is handled again', async () => {
    const { deliver, sent, recorded, gates } = setup(() => undefined);
    expect(await deliver.execute(request)).toBe('delivered');
    expect(await deliver.execute(request)).toBe('delivered');
    expect(sent).toHaveLength(1);
    expect(recorded).toHaveLength(1);
    // A different attempt of the same delivery (a redelivery) does go out.
    expect(await deliver.execute({ ...request, attempt: 2, claimToken: 'hookline.deliveries/1/3' })).toBe(
      'delivered',
    );
    expect(sent).toHaveLength(2);
    gates.shutdown();
  });

  it('records again, without sending again, when recording the outcome failed for a while', async () => {
    let failures = 2;
    const { deliver, sent, recorded, recordCalls, gates } = setup(() =>
      failures-- > 0 ? Object.assign(new Error('connection terminated'), { code: '57P01' }) : undefined,
    );
    expect(await deliver.execute(request)).toBe('delivered');
    // The handler of the message running again meanwhile joins the same attempt.
    expect(await deliver.execute(request)).toBe('delivered');
    expect(sent).toHaveLength(1);
    expect(recordCalls).toHaveLength(3);
    expect(new Set(recordCalls.map((call) => call.sendId)).size).toBe(1);
    expect(recorded).toHaveLength(1);
    gates.shutdown();
  });

  it('gives up at once, still without sending again, when the database refuses the record itself', async () => {
    const { deliver, sent, recordCalls, gates } = setup(() =>
      Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }),
    );
    await expect(deliver.execute(request)).rejects.toThrow('unsupported Unicode escape sequence');
    await expect(deliver.execute(request)).rejects.toThrow('unsupported Unicode escape sequence');
    expect(sent).toHaveLength(1);
    expect(recordCalls).toHaveLength(1);
    gates.shutdown();
  });

  it('signs each attempt over the exact body it sends', async () => {
    const { deliver, sent, gates } = setup(() => undefined);
    await deliver.execute(request);
    expect(sent[0].body).toBe(request.body);
    expect(sent[0].headers['X-Hookline-Signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(Number(sent[0].headers['webhook-timestamp'])).toBeGreaterThan(0);
    gates.shutdown();
  });
});

describe('deferralDelay', () => {
  const MIN = 60_000;

  it('waits the deferral delay while the breaker has been open for a short while', () => {
    expect(deferralDelay(PRESETS.hookline, 0)).toBe(30_000);
    expect(deferralDelay(PRESETS.hookline, 4 * MIN)).toBe(30_000);
  });

  it('waits on longer tiers, never longer than the endpoint has been off, once it stays off', () => {
    expect(deferralDelay(PRESETS.hookline, 5 * MIN)).toBe(5 * MIN);
    expect(deferralDelay(PRESETS.hookline, 3 * 60 * MIN)).toBe(2 * 60 * MIN);
    expect(deferralDelay(PRESETS.hackmamba, 10 * MIN)).toBe(5 * MIN);
  });
});
