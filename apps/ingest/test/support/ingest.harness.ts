// Boots the ingest service in-process against the real test broker and a database of its own, with
// a tenant and an API key inserted directly, and records what lands on the real topics.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { topicForEventType } from '@hookline/events';
import { declareTopics, ensureTopicsOnCluster } from '@hookline/kafka';
import type { RunningService } from '@hookline/observability';
import { mintApiKey } from '@hookline/tenancy';
import { createTestDatabase, createTestKafka, type TestDatabase } from '@hookline/testing';
import type { Consumer, Kafka } from 'kafkajs';
import { loadConfig } from '../../src/config';
import { bootstrap } from '../../src/main';

/** A decoded response or record body; tests assert on it field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shape is what the assertions check
export type Json = any;

/** A tenant and one of its API keys. */
export interface TestTenant {
  readonly id: string;
  readonly apiKey: string;
}

/** A running ingest service and what a test needs to talk to it. */
export interface IngestUnderTest {
  readonly service: RunningService;
  readonly db: TestDatabase;
  readonly tenant: TestTenant;
  /** `POST /v1/events` with the tenant's key unless `headers` replace it. */
  post(
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json; headers: Headers }>;
  close(): Promise<void>;
}

/** Options of `startIngest`. */
export interface StartIngestOptions {
  /** Extra environment (HOOKLINE_PRESET, INGEST_* ...). */
  readonly env?: Record<string, string>;
  /** Share another instance's database (and tenant) instead of creating one. */
  readonly shareWith?: IngestUnderTest;
}

/** A tenant id no other test uses, so records on the shared topics can be told apart. */
export function uniqueTenantId(label = 'tenant'): string {
  return `ten_${label}_${randomBytes(5).toString('hex')}`;
}

/** Inserts a tenant and an API key for it. */
export async function createTenant(db: TestDatabase, id = uniqueTenantId()): Promise<TestTenant> {
  const key = mintApiKey();
  await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [id, `Tenant ${id}`]);
  await db.dataSource.query(
    `INSERT INTO api_keys (id, tenant_id, name, prefix, hash) VALUES ($1, $2, 'test', $3, $4)`,
    [`key_${randomBytes(6).toString('hex')}`, id, key.prefix, key.hash],
  );
  return { id, apiKey: key.key };
}

/** Boots ingest on port 0 with its own database, tenant and key; the ingest-topic consumer is off unless asked for. */
export async function startIngest(options: StartIngestOptions = {}): Promise<IngestUnderTest> {
  const shared = options.shareWith;
  const db = shared?.db ?? (await createTestDatabase());
  const tenant = shared?.tenant ?? (await createTenant(db));
  const config = loadConfig({
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    DATABASE_URL: db.url,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'error',
    KAFKA_LOG_LEVEL: 'nothing',
    INGEST_CONSUMER_ENABLED: 'false',
    ...options.env,
  });
  let service: RunningService;
  try {
    service = await bootstrap(config);
  } catch (error) {
    if (!shared) await db.drop();
    throw error;
  }
  return {
    service,
    db,
    tenant,
    async post(body, headers = {}) {
      const response = await fetch(`${service.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Left as text: the assertion will show what came back.
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async close() {
      await service.close();
      if (!shared) await db.drop();
    },
  };
}

/** Creates the ingest, invalid and per-type topics from their real declarations (a no-op when they exist). */
export async function ensureIntakeTopics(kafka: Kafka): Promise<void> {
  const roles = new Set(['ingest', 'ingest-invalid', 'event']);
  await ensureTopicsOnCluster(
    kafka,
    declareTopics({ retryDelaysMs: [] }).filter((spec) => roles.has(spec.role.kind)),
  );
}

/** A record read back from a topic. */
export interface RecordedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
  /** `value` parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: Json;
}

/**
 * Reads topics from the beginning with a consumer group of its own and keeps the records `keep`
 * accepts (the topics are shared with other tests and earlier runs).
 */
export class TopicRecorder {
  readonly records: RecordedMessage[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: readonly string[],
    private readonly keep: (record: RecordedMessage) => boolean,
  ) {}

  /** Joins and starts collecting. */
  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({
      groupId: `test.ingest-recorder.${randomBytes(5).toString('hex')}`,
      maxWaitTimeInMs: 100,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          if (value !== undefined)
            headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
        }
        let json: unknown;
        try {
          json = message.value ? JSON.parse(message.value.toString('utf8')) : undefined;
        } catch {
          json = undefined;
        }
        const record = {
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value,
          headers,
          json,
        };
        if (this.keep(record)) this.records.push(record);
      },
    });
    return this;
  }

  /** Resolves with the records once `condition` holds; fails after `timeoutMs` listing what arrived. */
  async waitFor(
    condition: (records: readonly RecordedMessage[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<RecordedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this.records)) {
      if (Date.now() > deadline) {
        const seen = this.records.map((record) => `${record.topic} ${record.key}`).join('\n  ');
        throw new Error(
          `condition not met within ${timeoutMs} ms; ${this.records.length} record(s):\n  ${seen}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return [...this.records];
  }

  /** Stops reading. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** The event types whose topics {@link SubjectRecords} watches. */
const SUBJECT_TYPES = ['user.created', 'user.updated'];

/**
 * What ingest wrote about one subject (the record key's second part) at a time: each case takes a
 * fresh subject, and reads its records after a marker on each watched topic with the same key has
 * arrived. Kafka keeps one partition's records in order, so anything written before the markers has
 * arrived once they have.
 */
export class SubjectRecords {
  private subjects = 0;

  private constructor(
    private readonly ingest: IngestUnderTest,
    private readonly recorder: TopicRecorder,
    private readonly prefix: string,
  ) {}

  /** Starts recording the tenant's records on the watched topics. */
  static async start(kafka: Kafka, ingest: IngestUnderTest, prefix: string): Promise<SubjectRecords> {
    const recorder = await new TopicRecorder(
      kafka,
      SUBJECT_TYPES.map(topicForEventType),
      (record) => record.headers['hookline-tenant-id'] === ingest.tenant.id,
    ).start();
    return new SubjectRecords(ingest, recorder, prefix);
  }

  /** A subject no other case uses, so its records can be counted. */
  newSubject(): string {
    this.subjects += 1;
    return `${this.prefix}_${this.subjects}`;
  }

  /** Every record written for `subject` before this call (the markers excluded). */
  async about(subject: string): Promise<RecordedMessage[]> {
    const markers = await this.ingest.post(SUBJECT_TYPES.map((type) => ({ type, data: { id: subject } })));
    if (markers.status !== 202) throw new Error(`markers for ${subject} answered ${markers.status}`);
    const markerIds = new Set<string>(markers.body.data.map((ref: Json) => ref.id));
    await this.recorder.waitFor((records) =>
      [...markerIds].every((id) => records.some((record) => record.json?.event?.id === id)),
    );
    return this.recorder.records.filter(
      (record) =>
        record.key === `${this.ingest.tenant.id}:${subject}` && !markerIds.has(record.json.event.id),
    );
  }

  /** Stops recording. */
  stop(): Promise<void> {
    return this.recorder.stop();
  }
}

/** A client of the test broker. */
export function testKafka(): Kafka {
  return createTestKafka(`hookline-ingest-test-${randomBytes(3).toString('hex')}`);
}

/** A local TCP port on which nothing listens: a broker address that refuses every connection. */
export async function deadBrokerAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

/** Headers of a request with no API key at all. */
export const NO_AUTH = { authorization: '' };

/** The value of one sample in Prometheus text, matched by name and a subset of its labels; 0 when absent. */
export function sampleValue(metrics: string, name: string, labels: Record<string, string>): number {
  for (const line of metrics.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map([...match[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([label, value]) => present.get(label) === value))
      return Number(match[3]);
  }
  return 0;
}

/** Reads a service's metrics. */
export async function scrape(service: RunningService): Promise<string> {
  return (await fetch(`${service.url}/metrics`)).text();
}
