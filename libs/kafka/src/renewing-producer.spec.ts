import type { Producer } from 'kafkajs';
import { isProducerStateLost, renewingProducer } from './renewing-producer';

/** A stand-in for kafkajs producers: records calls, fails sends as told. */
function fakeKafka(failures: unknown[]) {
  const made: Array<{ connects: number; disconnects: number; sends: number; listeners: string[] }> = [];
  const kafka = {
    producer: () => {
      const state = { connects: 0, disconnects: 0, sends: 0, listeners: [] as string[] };
      made.push(state);
      const producer = {
        connect: async () => void (state.connects += 1),
        disconnect: async () => void (state.disconnects += 1),
        send: async () => {
          state.sends += 1;
          const failure = failures.shift();
          if (failure) throw failure;
          return [];
        },
        sendBatch: async () => [],
        on: (event: string) => {
          state.listeners.push(event);
          return () => {
            state.listeners = state.listeners.filter((e) => e !== event);
          };
        },
        events: { CONNECT: 'producer.connect' },
      };
      return producer as unknown as Producer;
    },
  };
  return { kafka, made };
}

const lost = Object.assign(new Error('The broker received an out of order sequence number'), {
  type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
});
const record = { topic: 't', messages: [{ value: 'v' }] };

describe('renewingProducer', () => {
  it('recognises a lost producer state however deep the client wrapped it', () => {
    expect(isProducerStateLost(lost)).toBe(true);
    expect(isProducerStateLost({ name: 'KafkaJSNumberOfRetriesExceeded', cause: lost })).toBe(true);
    expect(isProducerStateLost({ errors: [new Error('x'), { type: 'UNKNOWN_PRODUCER_ID' }] })).toBe(true);
    expect(isProducerStateLost({ type: 'NOT_LEADER_FOR_PARTITION' })).toBe(false);
    expect(isProducerStateLost(undefined)).toBe(false);
  });

  it('fails the send that met a lost state, then sends through a new, connected producer', async () => {
    const { kafka, made } = fakeKafka([lost]);
    const renewed: unknown[] = [];
    const producer = renewingProducer(kafka, { idempotent: true }, (error) => renewed.push(error));
    producer.on(producer.events.CONNECT, () => undefined);
    await producer.connect();

    await expect(producer.send(record)).rejects.toBe(lost);
    expect(renewed).toEqual([lost]);
    await producer.send(record);

    expect(made).toHaveLength(2);
    expect(made[0]).toMatchObject({ sends: 1, disconnects: 1, listeners: [] });
    expect(made[1]).toMatchObject({ connects: 1, sends: 1, listeners: ['producer.connect'] });
  });

  it('keeps its producer on any other failure', async () => {
    const { kafka, made } = fakeKafka([
      Object.assign(new Error('no leader'), { type: 'LEADER_NOT_AVAILABLE' }),
    ]);
    const producer = renewingProducer(kafka, {});
    await producer.connect();
    await expect(producer.send(record)).rejects.toThrow('no leader');
    await producer.send(record);
    expect(made).toHaveLength(1);
    expect(made[0].sends).toBe(2);
  });
});
