import { EndpointGates } from './endpoint-gates';

const settings = {
  maxInFlight: 2,
  maxQueued: 1,
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
