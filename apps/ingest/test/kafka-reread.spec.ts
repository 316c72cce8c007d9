import { randomBytes } from 'node:crypto';
import { INGEST_TOPIC, recordEventId, topicForEventType } from '@hookline/events';
import type { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import { IngestConsumer } from '../src/events/ingest.consumer';
import {
  ensureIntakeTopics,
  type IngestUnderTest,
  type Json,
  type RecordedMessage,
  startIngest,
  testKafka,
  TopicRecorder,
} from './support/ingest.harness';

/**
 * An ingest-topic record read again, as after a crash between publishing its events and committing
 * its offset (real Kafka and Postgres). The service's own consumer stays off: a reader of this test
 * hands exactly one record, twice, to the service's handler, so no other record on the shared topic
 * is touched.
 */
describe('an ingest-topic record read twice (real Kafka and Postgres)', () => {
  const run = randomBytes(4).toString('hex');
  let kafka: Kafka;
  let ingest: IngestUnderTest;
  let producer: Producer;
  let reader: Consumer | undefined;
  let recorder: TopicRecorder;

  beforeAll(async () => {
    kafka = testKafka();
    await ensureIntakeTopics(kafka);
    ingest = await startIngest({ env: { HOOKLINE_PRESET: 'hackmamba' } });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    recorder = await new TopicRecorder(
      kafka,
      [topicForEventType('user.created'), topicForEventType('user.updated')],
      (record) => record.headers['hookline-tenant-id'] === ingest.tenant.id,
    ).start();
  });

  afterAll(async () => {
    await reader?.disconnect();
    await recorder?.stop();
    await producer?.disconnect();
    await ingest?.close();
  });

  it('publishes the same events under the same ids, byte for byte, each time', async () => {
    const subject = `usr_reread_${run}`;
    const [sent] = await producer.send({
      topic: INGEST_TOPIC,
      acks: -1,
      messages: [
        {
          key: `${ingest.tenant.id}:${subject}`,
          value: JSON.stringify([
            { type: 'user.created', data: { id: subject } },
            { type: 'user.updated', data: { id: subject, name: 'Ada' } },
            { type: 'user.updated', id: `evt_own_${run}`, data: { id: subject, name: 'Grace' } },
          ]),
          headers: { 'hookline-tenant-id': ingest.tenant.id },
        },
      ],
    });
    const offset = sent.baseOffset!;

    const handler = ingest.service.app.get(IngestConsumer);
    const reads: EachMessagePayload[] = [];
    let twice!: () => void;
    const readTwice = new Promise<void>((resolve) => (twice = resolve));
    reader = kafka.consumer({ groupId: `test.ingest-reread.${run}`, maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topics: [INGEST_TOPIC] });
    await reader.run({
      eachMessage: async (payload) => {
        if (payload.partition !== sent.partition || payload.message.offset !== offset) return;
        if (reads.length === 2) return;
        await handler.handle(payload);
        reads.push(payload);
        if (reads.length === 2) twice();
        else reader!.seek({ topic: INGEST_TOPIC, partition: sent.partition, offset });
      },
    });
    reader.seek({ topic: INGEST_TOPIC, partition: sent.partition, offset });
    await readTwice;

    const about = (records: readonly RecordedMessage[]) =>
      records.filter((record) => record.json?.event?.data?.id === subject);
    const records = about(await recorder.waitFor((all) => about(all).length >= 6));
    expect(records).toHaveLength(6);
    const record = {
      topic: INGEST_TOPIC,
      partition: sent.partition,
      offset,
      timestampMs: Number(reads[0].message.timestamp),
    };
    const ids = [recordEventId(record, 0), recordEventId(record, 1), `evt_own_${run}`];
    for (const id of ids) {
      const copies = records.filter((candidate) => candidate.json.event.id === id);
      expect(copies).toHaveLength(2);
      expect(copies[0].value!.equals(copies[1].value!)).toBe(true);
    }
    const first: Json = records.find((candidate) => candidate.json.event.id === ids[0])!.json;
    expect(first.acceptedAt).toBe(record.timestampMs);
    expect(first.event.created).toBe(Math.floor(record.timestampMs / 1000));
  });
});
