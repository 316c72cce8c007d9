import type { Kafka, ProducerBatch } from 'kafkajs';
import { KafkaMessagePublisher } from './kafka-message.publisher';
import type { OutboundMessage } from './message.publisher';

/**
 * A stand-in for the client's producer that holds each send until the test releases it, so the
 * publisher's queueing can be observed; the Kafka protocol itself is covered by the integration tests.
 */
class HeldProducer {
  readonly sends: Array<{ batch: ProducerBatch; release: (error?: Error) => void }> = [];
  readonly events = { CONNECT: 'producer.connect', DISCONNECT: 'producer.disconnect' };
  private listeners = new Map<string, () => void>();

  on(event: string, listener: () => void): void {
    this.listeners.set(event, listener);
  }
  async connect(): Promise<void> {
    this.listeners.get(this.events.CONNECT)?.();
  }
  async disconnect(): Promise<void> {
    this.listeners.get(this.events.DISCONNECT)?.();
  }
  sendBatch(batch: ProducerBatch): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.sends.push({ batch, release: (error) => (error ? reject(error) : resolve([])) });
    });
  }
}

function message(topic: string, key: string, size = 10): OutboundMessage {
  return { topic, key, value: Buffer.alloc(size, 'x'), headers: {} };
}

async function settled(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('KafkaMessagePublisher', () => {
  let producer: HeldProducer;

  beforeEach(() => {
    producer = new HeldProducer();
  });

  function publisher(options = {}): KafkaMessagePublisher {
    return new KafkaMessagePublisher({ producer: () => producer } as unknown as Kafka, options);
  }

  it('keeps one send in flight and coalesces what arrives meanwhile into the next, in call order', async () => {
    const sut = publisher();
    const first = sut.publish([message('t.a', 'k1')]);
    await settled();
    const second = sut.publish([message('t.a', 'k2'), message('t.b', 'k3')]);
    const third = sut.publish([message('t.a', 'k4')]);
    await settled();
    expect(producer.sends).toHaveLength(1);

    producer.sends[0].release();
    await expect(first).resolves.toEqual({ kind: 'published' });
    await settled();
    expect(producer.sends).toHaveLength(2);
    expect(producer.sends[1].batch.acks).toBe(-1);
    expect(
      producer.sends[1].batch.topicMessages!.map((t) => [t.topic, t.messages.map((m) => m.key)]),
    ).toEqual([
      ['t.a', ['k2', 'k4']],
      ['t.b', ['k3']],
    ]);

    producer.sends[1].release(new Error('NOT_ENOUGH_REPLICAS'));
    // Handed to the client and not acknowledged: the broker may have written them all the same.
    await expect(second).resolves.toEqual({
      kind: 'failed',
      reason: 'NOT_ENOUGH_REPLICAS',
      written: 'unknown',
    });
    await expect(third).resolves.toEqual({
      kind: 'failed',
      reason: 'NOT_ENOUGH_REPLICAS',
      written: 'unknown',
    });
  });

  it('never coalesces past the byte limit, but sends an oversized publish on its own', async () => {
    const sut = publisher({ maxBatchBytes: 100 });
    void sut.publish([message('t', 'a', 10)]);
    await settled();
    void sut.publish([message('t', 'b', 60)]);
    void sut.publish([message('t', 'c', 60)]);
    void sut.publish([message('t', 'd', 500)]);
    await settled();

    for (let i = 0; i < 4; i += 1) {
      producer.sends[i].release();
      await settled();
    }
    expect(producer.sends.map((send) => send.batch.topicMessages![0].messages.map((m) => m.key))).toEqual([
      ['a'],
      ['b'],
      ['c'],
      ['d'],
    ]);
  });

  it('fails at once while Kafka was just unreachable, then tries again', async () => {
    const sut = publisher({ breakerResetMs: 50 });
    const first = sut.publish([message('t', 'a')]);
    await settled();
    producer.sends[0].release(new Error('Connection error: connect ECONNREFUSED'));
    await expect(first).resolves.toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('ECONNREFUSED'),
    });

    await expect(sut.publish([message('t', 'b')])).resolves.toEqual({
      kind: 'failed',
      reason: 'Kafka was unreachable moments ago; not trying again yet',
      written: 'no',
    });
    expect(producer.sends).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 80));
    const trial = sut.publish([message('t', 'c')]);
    await settled();
    expect(producer.sends).toHaveLength(2);
    producer.sends[1].release();
    await expect(trial).resolves.toEqual({ kind: 'published' });
    await sut.close();
  });

  it('keeps sending after the broker rejects one publish for its own records', async () => {
    const sut = publisher();
    const tooLarge = sut.publish([message('t', 'a')]);
    await settled();
    producer.sends[0].release(
      Object.assign(new Error('The request included a message larger than the max message size'), {
        type: 'MESSAGE_TOO_LARGE',
      }),
    );
    await expect(tooLarge).resolves.toMatchObject({ kind: 'failed' });

    const next = sut.publish([message('t', 'b')]);
    await settled();
    expect(producer.sends).toHaveLength(2);
    producer.sends[1].release();
    await expect(next).resolves.toEqual({ kind: 'published' });
    await sut.close();
  });

  it('answers failed once closed', async () => {
    const sut = publisher();
    await sut.close();
    await expect(sut.publish([message('t', 'a')])).resolves.toEqual({
      kind: 'failed',
      reason: 'publisher is shut down',
      written: 'no',
    });
  });

  it('says nothing was written when it could not even connect', async () => {
    producer.connect = async () => {
      throw new Error('Connection error: connect ECONNREFUSED');
    };
    const sut = publisher();
    await expect(sut.publish([message('t', 'a')])).resolves.toEqual({
      kind: 'failed',
      reason: 'Connection error: connect ECONNREFUSED',
      written: 'no',
    });
    expect(producer.sends).toEqual([]);
  });
});
