import { EndpointGates } from './endpoint-gates';

const settings = {
  maxInFlight: 2,
  maxQueued: 1,
  maxQueueWaitMs: 10_000,
  breaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 100, rollingWindowMs: 10_000 },
};
const failed = (value: string) => value === 'fail';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('EndpointGates', () => {
  it('bounds requests in flight per endpoint and defers beyond the queue', async () => {
    const gates = new EndpointGates(settings);
    const gate = gates.for('wh_1');
    let running = 0;
    let peak = 0;
    const slow = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(50);
      running -= 1;
      return 'ok';
    };
    const results = await Promise.all([1, 2, 3, 4].map(() => gate.run(slow, failed)));
    expect(results.map((r) => r.kind)).toEqual(['ran', 'ran', 'ran', 'saturated']);
    expect(peak).toBe(2);
    // Another endpoint is unaffected by the first one's load.
    expect((await gates.for('wh_2').run(async () => 'ok', failed)).kind).toBe('ran');
    gates.shutdown();
  });

  it('queues what the endpoint answers soon and defers what would wait longer than the limit', async () => {
    const gates = new EndpointGates({ ...settings, maxQueued: 100, maxQueueWaitMs: 150 });
    const gate = gates.for('wh_1');
    const answerAfter = (ms: number) => async () => {
      await sleep(ms);
      return 'ok';
    };
    // A fast endpoint: 2 in flight at ~10 ms each; ten more wait at most ~50 ms, well inside 150 ms.
    await gate.run(answerAfter(10), failed);
    const fast = await Promise.all(Array.from({ length: 12 }, () => gate.run(answerAfter(10), failed)));
    expect(fast.every((r) => r.kind === 'ran')).toBe(true);

    // The endpoint turns slow (100 ms): once its average says so, only the next slot's worth may wait.
    for (let round = 0; round < 10; round += 1)
      await Promise.all([gate.run(answerAfter(100), failed), gate.run(answerAfter(100), failed)]);
    const slow = await Promise.all(Array.from({ length: 8 }, () => gate.run(answerAfter(100), failed)));
    expect(slow.map((r) => r.kind)).toEqual([
      'ran',
      'ran',
      'ran',
      'ran',
      'saturated',
      'saturated',
      'saturated',
      'saturated',
    ]);
    gates.shutdown();
  });

  it('judges a new endpoint by its oldest request in flight before any answer came back', async () => {
    const gates = new EndpointGates({ ...settings, maxQueued: 100, maxQueueWaitMs: 100 });
    const gate = gates.for('wh_1');
    const hanging = () => new Promise<string>((resolve) => setTimeout(() => resolve('ok'), 400));
    const first = [gate.run(hanging, failed), gate.run(hanging, failed)];
    await sleep(20);
    // 20 ms without an answer: nothing says yet that the endpoint is slow, so a request may wait.
    const early = gate.run(hanging, failed);
    await sleep(130);
    // 150 ms without an answer: a new request would wait at least that long, and the early one,
    // waiting longer than the limit by now, is released to be deferred too.
    expect((await gate.run(hanging, failed)).kind).toBe('saturated');
    expect((await early).kind).toBe('saturated');
    expect((await Promise.all(first)).map((r) => r.kind)).toEqual(['ran', 'ran']);
    gates.shutdown();
  });

  it('defers a queued request that has waited longer than the limit', async () => {
    const gates = new EndpointGates({ ...settings, maxInFlight: 1, maxQueued: 100, maxQueueWaitMs: 100 });
    const gate = gates.for('wh_1');
    const hanging = () => new Promise<string>((resolve) => setTimeout(() => resolve('ok'), 300));
    const running = gate.run(hanging, failed);
    const queued = gate.run(hanging, failed);
    await sleep(150);
    // The next arrival finds the queued one overdue: it is released to be deferred, and the new one
    // is refused too (the request in flight is 150 ms old).
    expect((await gate.run(hanging, failed)).kind).toBe('saturated');
    expect((await queued).kind).toBe('saturated');
    expect((await running).kind).toBe('ran');
    gates.shutdown();
  });

  it('opens on failures, skips calls while open, and closes after a successful probe', async () => {
    const transitions: string[] = [];
    const gates = new EndpointGates(settings, (_id, from, to) => transitions.push(`${from}->${to}`));
    const gate = gates.for('wh_1');
    let calls = 0;
    const failing = async () => {
      calls += 1;
      return 'fail';
    };
    for (let i = 0; i < 3; i += 1)
      expect(await gate.run(failing, failed)).toEqual({ kind: 'ran', value: 'fail' });
    expect(gate.state).toBe('open');
    expect(await gate.run(failing, failed)).toEqual({ kind: 'circuit-open' });
    expect(calls).toBe(3);
    await sleep(150);
    expect(gate.state).toBe('half-open');
    expect(await gate.run(async () => 'ok', failed)).toEqual({ kind: 'ran', value: 'ok' });
    expect(gate.state).toBe('closed');
    expect(transitions).toEqual([
      'undefined->closed',
      'closed->open',
      'open->half-open',
      'half-open->closed',
    ]);
    gates.shutdown();
  });
});
