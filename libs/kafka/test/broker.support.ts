// Helpers for this project's own integration tests. They cannot use the shared testing library,
// which itself builds on this one.
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../src';

/** A client for the real broker the Jest global setup provides. */
export function brokerKafka(clientId: string): Kafka {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set; these tests need a real broker');
  return createKafka({
    brokers: brokers.split(','),
    clientId,
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 30_000,
    logLevel: 'nothing',
  });
}

/** A prefix no other test run uses, for topics and consumer groups. */
export function uniquePrefix(label: string): string {
  return `test.${label}.${randomBytes(4).toString('hex')}.`;
}

/** Resolves once `condition` holds; fails after `timeoutMs` with `describe()` explaining the state. */
export async function waitFor(
  condition: () => boolean,
  describe: () => string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Deletes topics this test created, ignoring ones already gone. */
export async function deleteTopics(kafka: Kafka, names: readonly string[]): Promise<void> {
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
