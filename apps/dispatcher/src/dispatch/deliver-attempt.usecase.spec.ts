import type { AttemptRecord, AttemptRecorder } from '@hookline/persistence';
import { PRESETS } from '@hookline/presets';
import { Registry } from 'prom-client';
import type { SendRequest, SendResult, Sender } from '../delivery/http-sender';
import { DeliverAttempt } from './deliver-attempt.usecase';
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
  body: Buffer.from('{}'),
  endpoint: {
    id: 'wh_1',
    tenantId: 'ten_1',
    url: 'https://example.com/hook',
    events: ['*'],
    active: true,
    secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
    headers: {},
    version: 1,
  },
};

function setup(recordFails: () => boolean) {
  const sent: SendRequest[] = [];
  const sender: Sender = {
    async send(req): Promise<SendResult> {
      sent.push(req);
      return { kind: 'response', status: 200, headers: {}, bodyExcerpt: 'OK', durationMs: 1 };
    },
  };
  const recorded: AttemptRecord[] = [];
  const recorder: AttemptRecorder = {
    async record(attempt) {
      if (recordFails()) throw new Error('database unavailable');
      recorded.push(attempt);
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
    { maxRetryAfterMs: 3_600_000, deferDelayMs: 5000 },
    new DispatcherMetrics(new Registry()),
  );
  return { deliver, sent, recorded, gates };
}

describe('DeliverAttempt', () => {
  it('does not send a settled attempt again when its message is handled again', async () => {
    const { deliver, sent, recorded, gates } = setup(() => false);
    expect(await deliver.execute(request)).toBe('delivered');
    expect(await deliver.execute(request)).toBe('delivered');
    expect(sent).toHaveLength(1);
    expect(recorded).toHaveLength(1);
    // A different attempt of the same delivery (a redelivery) does go out.
    expect(await deliver.execute({ ...request, attempt: 2 })).toBe('delivered');
    expect(sent).toHaveLength(2);
    gates.shutdown();
  });

  it('tries again when recording the outcome failed, since nothing durable says it was delivered', async () => {
    let fail = true;
    const { deliver, sent, gates } = setup(() => fail);
    await expect(deliver.execute(request)).rejects.toThrow('database unavailable');
    fail = false;
    expect(await deliver.execute(request)).toBe('delivered');
    expect(sent).toHaveLength(2);
    gates.shutdown();
  });

  it('signs each attempt over the exact body it sends', async () => {
    const { deliver, sent, gates } = setup(() => false);
    await deliver.execute(request);
    expect(sent[0].body).toBe(request.body);
    expect(sent[0].headers['X-Hookline-Signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(Number(sent[0].headers['webhook-timestamp'])).toBeGreaterThan(0);
    gates.shutdown();
  });
});
