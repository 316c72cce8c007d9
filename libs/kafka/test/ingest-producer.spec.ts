import { INGEST_TOPIC, type RawEvent } from '@hookline/events';
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import {
  createIngestProducer,
  declareTopics,
  EVENT_TYPE_HEADER,
  ensureTopics,
  type IngestProducer,
} from '../src';
import { brokerKafka, uniquePrefix, waitFor } from './broker.support';

interface Received {
  partition: number;
  key: string | null;
  headers: Record<string, string>;
  event: RawEvent;
}

describe('createIngestProducer against the real broker', () => {
  let kafka: Kafka;
  let producer: IngestProducer;

  beforeAll(async () => {
    kafka = brokerKafka('ingest-producer-spec');
    // The ingest topic is shared by every test on the broker: create it from its declaration when
    // missing, never reshape it under another test, and never delete it.
    const admin = kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(INGEST_TOPIC)) {
        const ingest = declareTopics({ retryDelaysMs: [] }).filter((spec) => spec.name === INGEST_TOPIC);
        await ensureTopics(admin, ingest);
      }
    } finally {
      await admin.disconnect();
    }
    producer = createIngestProducer(kafka, { tenantId: 'acme' });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  it('publishes JSON events keyed by tenant and subject, keeping each subject in order', async () => {
    const run = randomBytes(4).toString('hex');
    const alice = `usr_alice_${run}`;
    const bob = `usr_bob_${run}`;
    const events: RawEvent[] = [
      { type: 'user.created', data: { id: alice, email: 'alice@example.com' } },
      { type: 'user.updated', data: { id: alice, name: 'Alice' }, previous_attributes: { name: null } },
      { type: 'user.created', data: { id: bob } },
      { type: 'user.deleted', data: { id: alice } },
    ];

    const first = await producer.publish(events.slice(0, 2));
    const rest = await Promise.all(events.slice(2).map((event) => producer.publish(event)));
    expect(first).toMatchObject({ kind: 'published', count: 2 });
    expect(rest.map((result) => result.count)).toEqual([1, 1]);

    const received: Received[] = [];
    const consumer = kafka.consumer({ groupId: `${uniquePrefix('ingest')}group`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [INGEST_TOPIC], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          // Other tests share the topic (some write malformed records on purpose); keep only this run's events.
          let event: RawEvent;
          try {
            event = JSON.parse(message.value?.toString() ?? 'null') as RawEvent;
          } catch {
            return;
          }
          if (typeof event?.data?.id !== 'string' || !event.data.id.endsWith(run)) return;
          const headers = Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
          );
          received.push({ partition, key: message.key?.toString() ?? null, headers, event });
        },
      });
      await waitFor(
        () => received.length >= events.length,
        () => `received ${received.length} of ${events.length}`,
      );
    } finally {
      await consumer.disconnect();
    }

    const aliceRecords = received.filter((record) => record.key === `acme:${alice}`);
    expect(aliceRecords.map((record) => record.event)).toEqual([events[0], events[1], events[3]]);
    expect(new Set(aliceRecords.map((record) => record.partition)).size).toBe(1);
    expect(received.find((record) => record.key === `acme:${bob}`)?.event).toEqual(events[2]);
    expect(received.map((record) => record.headers[EVENT_TYPE_HEADER])).toEqual(
      expect.arrayContaining(['user.created', 'user.updated', 'user.deleted']),
    );
    expect(received.every((record) => record.headers['content-type'] === 'application/json')).toBe(true);
  });
});
