import { INGEST_TOPIC, type RawEvent } from '@hookline/events';
import { type Kafka, type Message, Partitioners } from 'kafkajs';

/** The part of a publish that went to one partition, starting at `baseOffset`. */
export interface PublishedBatch {
  partition: number;
  baseOffset: string;
}

/** Result of a publish: every event of the call was acknowledged by all in-sync replicas. */
export interface PublishResult {
  kind: 'published';
  count: number;
  batches: PublishedBatch[];
}

/** Sends raw events from a domain service to Hookline's ingest topic. */
export interface IngestProducer {
  connect(): Promise<void>;
  /** Publishes one event or a batch, in order; resolves once every event is durably written. */
  publish(events: RawEvent | readonly RawEvent[]): Promise<PublishResult>;
  disconnect(): Promise<void>;
}

/** Settings of an ingest producer. */
export interface IngestProducerOptions {
  /**
   * Tenant that owns every event this producer sends. Ingest refuses events without one (they go to
   * the invalid topic), and the tenant prefixes every record key so tenants never share a key.
   */
  tenantId: string;
}

/** Header carrying the event type, so consumers can route without parsing the body. */
export const EVENT_TYPE_HEADER = 'hookline-event-type';

/** Header naming the tenant an event belongs to; ingest reads it before trusting anything else. */
export const TENANT_ID_HEADER = 'hookline-tenant-id';

/**
 * Record key of a raw event: the tenant, then its subject (or `data.id`). Events with the same key
 * land on the same partition and therefore keep their order.
 */
export function ingestKey(event: RawEvent, tenantId: string): string {
  const subject = event.subject ?? (typeof event.data?.id === 'string' ? event.data.id : undefined);
  return subject === undefined ? tenantId : `${tenantId}:${subject}`;
}

/**
 * Creates a producer to the ingest topic: acks from all in-sync replicas, idempotent (a retried send
 * is not duplicated) and one request in flight, so a retry can never overtake an earlier batch.
 */
export function createIngestProducer(kafka: Kafka, options: IngestProducerOptions): IngestProducer {
  if (typeof options?.tenantId !== 'string' || options.tenantId.trim() === '') {
    throw new TypeError('createIngestProducer needs the tenantId that owns the events');
  }
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  // The client numbers idempotent batches when it builds them; overlapping sends could be numbered
  // out of order after a retry, so calls are queued one after another.
  let queue: Promise<unknown> = Promise.resolve();

  const send = async (events: readonly RawEvent[]): Promise<PublishResult> => {
    const messages: Message[] = events.map((event) => ({
      key: ingestKey(event, options.tenantId),
      value: JSON.stringify(event),
      headers: {
        'content-type': 'application/json',
        [EVENT_TYPE_HEADER]: event.type,
        [TENANT_ID_HEADER]: options.tenantId,
      },
    }));
    const metadata = await producer.send({ topic: INGEST_TOPIC, acks: -1, messages });
    return {
      kind: 'published',
      count: events.length,
      batches: metadata.map((entry) => ({ partition: entry.partition, baseOffset: entry.baseOffset ?? '' })),
    };
  };

  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    publish(eventOrEvents) {
      const events: readonly RawEvent[] = isBatch(eventOrEvents) ? eventOrEvents : [eventOrEvents];
      if (events.length === 0) return Promise.resolve({ kind: 'published', count: 0, batches: [] });
      const result = queue.then(() => send(events));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

function isBatch(value: RawEvent | readonly RawEvent[]): value is readonly RawEvent[] {
  return Array.isArray(value);
}
