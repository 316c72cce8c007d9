import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { ConsumerSupervisor } from './consumer-supervisor';

const CRASH = 'consumer.crash';

/** Just what the supervisor uses of a kafkajs consumer: crash events and disconnect. */
class FakeConsumer extends EventEmitter {
  readonly events = { CRASH };
  disconnected = false;

  async disconnect(): Promise<void> {
    this.disconnected = true;
  }

  crash(restart: boolean, message = 'Failed to find group coordinator'): void {
    this.emit(CRASH, { payload: { error: new Error(message), groupId: 'g', restart } });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

function supervised(failStarts = 0) {
  const built: FakeConsumer[] = [];
  const started: FakeConsumer[] = [];
  const restarts: string[] = [];
  let failures = failStarts;
  const supervisor = new ConsumerSupervisor({
    build: () => {
      const consumer = new FakeConsumer();
      built.push(consumer);
      return consumer as unknown as Consumer;
    },
    start: async (consumer) => {
      // The first start always succeeds; restarts fail `failStarts` times first.
      if (started.length > 0 && failures > 0) {
        failures -= 1;
        throw new Error('broker not reachable');
      }
      started.push(consumer as unknown as FakeConsumer);
    },
    onRestart: (reason) => restarts.push(reason),
    initialDelayMs: 5,
    maxDelayMs: 20,
  });
  return { supervisor, built, started, restarts };
}

describe('ConsumerSupervisor', () => {
  it('replaces a consumer the client gave up on, and only such a one', async () => {
    const { supervisor, built, started, restarts } = supervised();
    await supervisor.start();
    // A crash the client restarts from by itself is left to the client.
    built[0].crash(true);
    await sleep(30);
    expect(built).toHaveLength(1);

    built[0].crash(false);
    await waitFor(() => started.length === 2);
    expect(built).toHaveLength(2);
    expect(built[0].disconnected).toBe(true);
    expect(started).toEqual([built[0], built[1]]);
    expect(supervisor.current).toBe(built[1]);
    expect(restarts).toEqual(['Error: Failed to find group coordinator']);
    await supervisor.stop();
    expect(built[1].disconnected).toBe(true);
  });

  it('keeps trying with backoff until a new consumer starts', async () => {
    const { supervisor, built, started, restarts } = supervised(2);
    await supervisor.start();
    built[0].crash(false);
    await waitFor(() => started.length === 2);
    // Two failed starts, then one that ran.
    expect(built).toHaveLength(4);
    expect(started).toEqual([built[0], built[3]]);
    expect(restarts).toEqual([
      'Error: Failed to find group coordinator',
      'Error: broker not reachable',
      'Error: broker not reachable',
    ]);
    await supervisor.stop();
  });

  it('restarts nothing once stopped, even while waiting to restart', async () => {
    const { supervisor, built } = supervised();
    await supervisor.start();
    built[0].crash(false);
    await supervisor.stop();
    await sleep(30);
    expect(built).toHaveLength(1);
    expect(built[0].disconnected).toBe(true);
  });
});
