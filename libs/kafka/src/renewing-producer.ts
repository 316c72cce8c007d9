import type { Kafka, Producer, ProducerConfig } from 'kafkajs';

/**
 * Broker error codes after which an idempotent producer's id and sequence numbers no longer match
 * what the broker holds: a broker restarted without the producer state it had (killed before it
 * saved it), or the producer id expired. kafkajs then fails every send of that producer for good;
 * only a producer with a new id recovers.
 */
const PRODUCER_STATE_LOST = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/** Whether `error` (or an error it wraps) says the producer's idempotent state is lost. */
export function isProducerStateLost(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 8) return false;
  const { type, cause, errors, originalError } = error as {
    type?: unknown;
    cause?: unknown;
    errors?: unknown;
    originalError?: unknown;
  };
  if (typeof type === 'string' && PRODUCER_STATE_LOST.has(type)) return true;
  const wrapped = [cause, originalError, ...(Array.isArray(errors) ? errors : [])];
  return wrapped.some((inner) => inner !== error && isProducerStateLost(inner, depth + 1));
}

type Listener = Parameters<Producer['on']>[1];
type EventName = Parameters<Producer['on']>[0];

/**
 * A producer that replaces itself when its idempotent state is lost. The send that met the error
 * fails as any failed send does (its records may or may not have been written, which callers already
 * handle); the next send goes through a new producer, with a new id, connected first if the caller
 * had connected this one. Listeners registered with `on` follow to each new producer.
 */
export function renewingProducer(
  kafka: Pick<Kafka, 'producer'>,
  config: ProducerConfig,
  onRenew: (error: unknown) => void = () => undefined,
): Producer {
  let current = kafka.producer(config);
  let connectedTo: Producer | undefined;
  const listeners = new Map<Listener, { event: EventName; remove: () => void }>();

  async function through<R>(call: (producer: Producer) => Promise<R>): Promise<R> {
    if (connectedTo !== undefined && connectedTo !== current) {
      await current.connect();
      connectedTo = current;
    }
    const producer = current;
    try {
      return await call(producer);
    } catch (error) {
      if (producer === current && isProducerStateLost(error)) {
        current = kafka.producer(config);
        for (const [listener, entry] of listeners) {
          entry.remove();
          entry.remove = current.on(entry.event, listener);
        }
        onRenew(error);
        void producer.disconnect().catch(() => undefined);
      }
      throw error;
    }
  }

  return {
    connect: async () => {
      await current.connect();
      connectedTo = current;
    },
    disconnect: () => current.disconnect(),
    isIdempotent: () => current.isIdempotent(),
    get events() {
      return current.events;
    },
    on: ((event: EventName, listener: Listener) => {
      listeners.set(listener, { event, remove: current.on(event, listener) });
      return () => {
        listeners.get(listener)?.remove();
        listeners.delete(listener);
      };
    }) as Producer['on'],
    send: (record) => through((producer) => producer.send(record)),
    sendBatch: (batch) => through((producer) => producer.sendBatch(batch)),
    transaction: () => current.transaction(),
    logger: () => current.logger(),
  };
}
