import { randomBytes } from 'node:crypto';
import { createKafka, type KafkaConfig, type TopicSpec } from '@hookline/kafka';
import type { Kafka } from 'kafkajs';

/** One message read by `consumeUntil`, decoded to strings. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * A fresh prefix such as `test.retry.3f9a1c2e.` so that topics and consumer groups of concurrent test
 * files (and of earlier runs against the same broker) never collide.
 */
export function uniqueTopicPrefix(label = 'kafka'): string {
  return `test.${label}.${randomBytes(4).toString('hex')}.`;
}

/** The Kafka settings of the test broker, from `KAFKA_BROKERS` (set by the Jest global setup). */
export function testKafkaConfig(clientId = 'hookline-test'): KafkaConfig {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    throw new Error(
      'KAFKA_BROKERS is not set; integration tests need the Jest global setup or a running broker',
    );
  }
  return {
    brokers: brokers.split(',').map((broker) => broker.trim()),
    clientId,
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 30_000,
    // Tests provoke failures on purpose; the client's own warnings about them are noise.
    logLevel: 'error',
  };
}

/** A client for the test broker. */
export function createTestKafka(clientId = 'hookline-test'): Kafka {
  return createKafka(testKafkaConfig(clientId));
}

/** A spec for a short-lived test topic, to pass to `ensureTopics`. */
export function testTopicSpec(name: string, partitions = 1): TopicSpec {
  return {
    name,
    partitions,
    replicationFactor: 1,
    configs: { 'retention.ms': String(3_600_000) },
    purpose: 'test',
  };
}

/** Deletes test topics, ignoring ones that are already gone. */
export async function deleteTopics(kafka: Kafka, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = names.filter((name) => existing.has(name));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads `topic` from the beginning with a throw-away consumer group until `predicate` accepts the
 * messages received so far, and returns them; fails after `timeoutMs` saying how many arrived.
 */
export async function consumeUntil(
  kafka: Kafka,
  topic: string,
  predicate: (received: readonly ConsumedMessage[]) => boolean,
  timeoutMs = 15_000,
): Promise<ConsumedMessage[]> {
  const consumer = kafka.consumer({
    groupId: `${uniqueTopicPrefix('consume-until')}group`,
    allowAutoTopicCreation: false,
  });
  const received: ConsumedMessage[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    return await new Promise<ConsumedMessage[]>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `consumeUntil(${topic}): condition not met within ${timeoutMs} ms; ${received.length} message(s) received`,
            ),
          ),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ topic: from, partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) {
              if (value !== undefined)
                headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
            }
            received.push({
              topic: from,
              partition,
              offset: message.offset,
              key: message.key?.toString('utf8') ?? null,
              value: message.value?.toString('utf8') ?? null,
              headers,
            });
            if (predicate(received)) resolve([...received]);
          },
        })
        .catch(reject);
    });
  } finally {
    if (timer) clearTimeout(timer);
    await consumer.disconnect();
  }
}
