import { randomBytes } from 'node:crypto';
import { declareTopics, ensureTopicsOnCluster } from '@hookline/kafka';
import type { RunningService } from '@hookline/observability';
import { retryTiers } from '@hookline/presets';
import {
  createTestDatabase,
  createTestKafka,
  ensureHooklineTopics,
  type TestDatabase,
} from '@hookline/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { loadConfig, type RetrySchedulerConfig } from '../src/config';
import { bootstrap } from '../src/main';

/** A retry scheduler running in-process against real Kafka and Postgres. */
export interface RetrySchedulerHarness {
  readonly config: RetrySchedulerConfig;
  readonly service: RunningService;
  /** The database it sweeps: its own unless one was passed in. */
  readonly databaseUrl: string;
  /** The text of its `/metrics`. */
  metrics(): Promise<string>;
  /** Stops it (parked tasks stay on their tiers) and drops its own database. */
  close(): Promise<void>;
}

/**
 * Makes sure the tier topics of `delaysMs` exist, besides every topic Hookline declares. Tests use
 * delays of their own (`1337ms`), so that no other test's retries land on the tiers they consume.
 */
export async function ensureTierTopics(delaysMs: readonly number[]): Promise<void> {
  await ensureHooklineTopics(delaysMs);
  const kafka = createTestKafka('retry-scheduler-test-topics');
  const tiers = declareTopics({ retryDelaysMs: delaysMs, partitions: 3 }).filter(
    (topic) => topic.role.kind === 'retry-tier',
  );
  await ensureTopicsOnCluster(kafka, tiers);
}

/**
 * Boots a retry scheduler with a consumer group of its own that starts at the end of the tiers, so
 * tasks parked by other test files are not handed on here. `env` overrides its configuration; pass
 * `DATABASE_URL` to share a database (with a dispatcher, say), otherwise it gets a fresh one.
 */
export async function startRetryScheduler(env: Record<string, string> = {}): Promise<RetrySchedulerHarness> {
  let db: TestDatabase | undefined;
  if (!env.DATABASE_URL) db = await createTestDatabase();
  const config = loadConfig({
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    DATABASE_URL: db?.url,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    RETRY_SCHEDULER_GROUP_ID: `test-retry-scheduler-${randomBytes(4).toString('hex')}`,
    RETRY_SCHEDULER_INITIAL_OFFSET: 'latest',
    RETRY_SCHEDULER_BACKLOG_INTERVAL: '500ms',
    ...env,
  });
  await ensureTierTopics(retryTiers(config.preset.retry));
  const service = await bootstrap(config);
  return {
    config,
    service,
    databaseUrl: config.database.url,
    metrics: async () => (await fetch(`${service.url}/metrics`)).text(),
    async close() {
      await service.close();
      await db?.drop();
    },
  };
}

/** One message seen by a `TopicRecorder`, with its value parsed as JSON. */
export interface RecordedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Record<string, unknown>;
  readonly headers: Record<string, string>;
  /** The producer's timestamp (epoch milliseconds). */
  readonly timestamp: number;
}

/** Reads topics from their start into memory; tests pick out their own messages by tenant or id. */
export interface TopicRecorder {
  readonly messages: RecordedMessage[];
  /** Resolves with the matching messages once there are at least `count`; rejects after `timeoutMs`. */
  waitFor(
    count: number,
    filter: (message: RecordedMessage) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedMessage[]>;
  stop(): Promise<void>;
}

/** Starts recording `topics` from their start with a throw-away consumer group. */
export async function recordTopics(kafka: Kafka, topics: readonly string[]): Promise<TopicRecorder> {
  const consumer = kafka.consumer({
    groupId: `test-recorder-${randomBytes(4).toString('hex')}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 200,
  });
  const messages: RecordedMessage[] = [];
  const listeners = new Set<() => void>();
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      messages.push(record(topic, partition, message));
      for (const listener of listeners) listener();
    },
  });
  return {
    messages,
    waitFor(count, filter, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = messages.filter(filter);
          if (matching.length < count) return;
          done();
          resolve(matching);
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `expected ${count} messages within ${timeoutMs} ms, got ${messages.filter(filter).length}`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    stop: () => consumer.disconnect(),
  };
}

function record(topic: string, partition: number, message: KafkaMessage): RecordedMessage {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(message.value?.toString('utf8') ?? 'null') ?? {};
  } catch {
    // Not JSON (a poison message, say): kept as text.
    value = { raw: message.value?.toString('utf8') };
  }
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(message.headers ?? {})) {
    if (header !== undefined)
      headers[name] = Array.isArray(header) ? header.map(String).join(',') : String(header);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    value,
    headers,
    timestamp: Number(message.timestamp),
  };
}

/** Waits until `condition` holds, checking every 50 ms; fails after `timeoutMs` with `what`. */
export async function eventually(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
