// Proof that the pinned kafkajs client does what Hookline needs against the real Kafka 4 broker:
// manual commits, resuming a group from its committed offset, and pausing one partition.
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { ensureTopics, type TopicSpec } from '../src';
import { brokerKafka, deleteTopics, uniquePrefix, waitFor } from './broker.support';

const topicSpec = (name: string, partitions: number): TopicSpec => ({
  name,
  partitions,
  replicationFactor: 1,
  configs: { 'retention.ms': '3600000' },
  purpose: 'test',
});

interface Seen {
  partition: number;
  offset: string;
  value: string;
}

describe('kafkajs against the Kafka 4 broker', () => {
  let kafka: Kafka;
  let producer: Producer;
  const consumers: Consumer[] = [];
  const topics: string[] = [];

  beforeAll(async () => {
    kafka = brokerKafka('kafkajs-broker-spec');
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.disconnect()));
  });

  afterAll(async () => {
    await producer.disconnect();
    await deleteTopics(kafka, topics);
  });

  async function createTopic(label: string, partitions: number): Promise<string> {
    const name = `${uniquePrefix(label)}topic`;
    topics.push(name);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [topicSpec(name, partitions)]);
    } finally {
      await admin.disconnect();
    }
    return name;
  }

  function newConsumer(groupId: string): Consumer {
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    consumers.push(consumer);
    return consumer;
  }

  async function produce(topic: string, values: string[], partition?: number): Promise<void> {
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition })) });
  }

  it('commits offsets manually and a new consumer in the group resumes from the committed offset', async () => {
    const topic = await createTopic('manual-commit', 1);
    const groupId = `${uniquePrefix('manual-commit')}group`;
    await produce(topic, ['m0', 'm1', 'm2', 'm3', 'm4']);

    // First consumer: processes everything but commits only up to and including m2.
    const first = newConsumer(groupId);
    const firstSeen: Seen[] = [];
    await first.connect();
    await first.subscribe({ topics: [topic], fromBeginning: true });
    await first.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const value = message.value?.toString() ?? '';
        firstSeen.push({ partition, offset: message.offset, value });
        if (['m0', 'm1', 'm2'].includes(value)) {
          // The committed offset is the next one to read, hence + 1.
          await first.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
        }
      },
    });
    await waitFor(
      () => firstSeen.length >= 5,
      () => `first consumer saw ${firstSeen.map((s) => s.value).join(',')}`,
    );
    await first.disconnect();
    expect(firstSeen.map((s) => s.value)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);
    } finally {
      await admin.disconnect();
    }

    await produce(topic, ['m5', 'm6']);

    // Second consumer, same group: starts at the committed offset, not at the beginning or the end.
    const second = newConsumer(groupId);
    const secondSeen: Seen[] = [];
    await second.connect();
    await second.subscribe({ topics: [topic], fromBeginning: true });
    await second.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        secondSeen.push({ partition, offset: message.offset, value: message.value?.toString() ?? '' });
      },
    });
    await waitFor(
      () => secondSeen.length >= 4,
      () => `second consumer saw ${secondSeen.map((s) => s.value).join(',')}`,
    );
    expect(secondSeen.map((s) => s.value)).toEqual(['m3', 'm4', 'm5', 'm6']);
    expect(secondSeen[0].offset).toBe('3');
  });

  it('pauses one partition while the others keep flowing, and resumes it in order', async () => {
    const topic = await createTopic('pause', 3);
    const consumer = newConsumer(`${uniquePrefix('pause')}group`);
    const seen: Seen[] = [];
    const fromPartition = (partition: number) =>
      seen.filter((s) => s.partition === partition).map((s) => s.value);

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({ partition, offset: message.offset, value: message.value?.toString() ?? '' });
      },
    });
    await waitFor(
      () => joined,
      () => 'consumer never joined its group',
    );
    consumer.pause([{ topic, partitions: [0] }]);
    expect(consumer.paused()).toEqual([{ topic, partitions: [0] }]);

    await produce(topic, ['p0-a', 'p0-b', 'p0-c'], 0);
    await produce(topic, ['p1-a', 'p1-b'], 1);
    await produce(topic, ['p2-a', 'p2-b'], 2);
    await waitFor(
      () => fromPartition(1).length === 2 && fromPartition(2).length === 2,
      () => `seen ${JSON.stringify(seen)}`,
    );
    // A second round on the flowing partitions proves further fetch cycles ran while 0 stayed paused.
    await produce(topic, ['p1-c'], 1);
    await produce(topic, ['p2-c'], 2);
    await waitFor(
      () => fromPartition(1).length === 3 && fromPartition(2).length === 3,
      () => `seen ${JSON.stringify(seen)}`,
    );
    expect(fromPartition(0)).toEqual([]);

    consumer.resume([{ topic, partitions: [0] }]);
    expect(consumer.paused()).toEqual([]);
    await waitFor(
      () => fromPartition(0).length === 3,
      () => `seen ${JSON.stringify(seen)}`,
    );
    expect(fromPartition(0)).toEqual(['p0-a', 'p0-b', 'p0-c']);
    expect(fromPartition(1)).toEqual(['p1-a', 'p1-b', 'p1-c']);
    expect(fromPartition(2)).toEqual(['p2-a', 'p2-b', 'p2-c']);
  });

  it('refuses to produce to a topic that was never declared (auto-create is off)', async () => {
    const topic = `${uniquePrefix('undeclared')}topic`;
    // Even a client that asks for auto-creation must be refused by the broker.
    const eager = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: true,
      retry: { retries: 1, initialRetryTime: 100 },
    });
    await eager.connect();
    try {
      await expect(eager.send({ topic, messages: [{ value: 'x' }] })).rejects.toThrow(
        /does not host this topic-partition/,
      );
    } finally {
      await eager.disconnect();
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(topic);
    } finally {
      await admin.disconnect();
    }
  });
});
