import { randomBytes } from 'node:crypto';
import {
  type AcceptedEvent,
  encodeAcceptedEvent,
  encodeEndpointChange,
  type EndpointSnapshot,
  newEventId,
  renderCreated,
  SUBSCRIPTION_CHANGELOG_TOPIC,
  topicForEventType,
} from '@hookline/events';
import type { RunningService } from '@hookline/observability';
import { EndpointEntity, endpointSnapshot } from '@hookline/persistence';
import {
  createTestDatabase,
  createTestKafka,
  ensureHooklineTopics,
  type ReceivedRequest,
  type TestDatabase,
  type TestReceiver,
} from '@hookline/testing';
import { type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import { type DispatcherConfig, loadConfig } from '../src/config';
import { DispatcherRuntime } from '../src/dispatcher.runtime';
import { bootstrap } from '../src/main';

/** A dispatcher running in-process against real Kafka and a fresh Postgres database. */
export interface DispatcherHarness {
  readonly db: TestDatabase;
  readonly kafka: Kafka;
  readonly config: DispatcherConfig;
  readonly service: RunningService;
  readonly runtime: DispatcherRuntime;
  /** Stores an endpoint and publishes it to the changelog, then waits until the dispatcher sees it. */
  createEndpoint(tenantId: string, fields: EndpointFields): Promise<EndpointEntity>;
  /** Changes a stored endpoint the same way, waiting until the dispatcher sees the new version. */
  updateEndpoint(id: string, changes: EndpointChanges): Promise<EndpointEntity>;
  /** Produces an accepted event to its type's topic, as ingest does. */
  publishEvent(tenantId: string, type: string, data: Record<string, unknown>): Promise<AcceptedEvent>;
  /** Produces raw records to any topic, acknowledged by every in-sync replica. */
  produce(topic: string, messages: Message[]): Promise<void>;
  close(): Promise<void>;
}

/** What a test may change on a stored endpoint, including a secret rotation. */
export type EndpointChanges = Partial<
  EndpointFields & Pick<EndpointEntity, 'previousSecret' | 'previousSecretExpiresAt'>
>;

/** What a test sets on an endpoint. */
export interface EndpointFields {
  url: string;
  events: string[];
  secret?: string;
  headers?: Record<string, string>;
  active?: boolean;
}

/** Boots a dispatcher with its own consumer group; `env` overrides its configuration. */
export async function startDispatcher(env: Record<string, string> = {}): Promise<DispatcherHarness> {
  await ensureHooklineTopics();
  const db = await createTestDatabase();
  const kafka = createTestKafka('dispatcher-test');
  const producer: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const config = loadConfig({
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    DATABASE_URL: db.url,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    // A group of its own that starts at the end, so events of other test files are not replayed here.
    DISPATCHER_GROUP_ID: `test-dispatcher-${randomBytes(4).toString('hex')}`,
    DISPATCHER_INITIAL_OFFSET: 'latest',
    DISPATCHER_ALLOW_HTTP: 'true',
    DISPATCHER_ALLOWED_CIDRS: '127.0.0.0/8,::1',
    ...env,
  });
  let service: RunningService;
  try {
    service = await bootstrap(config);
  } catch (error) {
    await producer.disconnect();
    await db.drop();
    throw error;
  }
  const runtime = service.app.get(DispatcherRuntime);
  const repository = db.dataSource.getRepository(EndpointEntity);
  const knownTenants = new Set<string>();

  const publish = async (endpoint: EndpointEntity): Promise<EndpointEntity> => {
    const snapshot: EndpointSnapshot = endpointSnapshot(endpoint);
    await producer.send({
      topic: SUBSCRIPTION_CHANGELOG_TOPIC,
      acks: -1,
      messages: [{ key: endpoint.id, value: encodeEndpointChange(snapshot) }],
    });
    const deadline = Date.now() + 10_000;
    while ((runtime.view.get(endpoint.id)?.version ?? -1) < snapshot.version) {
      if (Date.now() > deadline)
        throw new Error(`the dispatcher did not see ${endpoint.id} v${snapshot.version}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return endpoint;
  };

  return {
    db,
    kafka,
    config,
    service,
    runtime,
    async createEndpoint(tenantId, fields) {
      if (!knownTenants.has(tenantId)) {
        await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING`, [
          tenantId,
        ]);
        knownTenants.add(tenantId);
      }
      const saved = await repository.save(
        repository.create({
          id: `wh_${randomBytes(8).toString('hex')}`,
          tenantId,
          url: fields.url,
          events: fields.events,
          secret: fields.secret ?? `whsec_${randomBytes(32).toString('base64')}`,
          previousSecret: null,
          previousSecretExpiresAt: null,
          headers: fields.headers ?? {},
          metadata: {},
          description: null,
          active: fields.active ?? true,
          disabledReason: null,
          disabledAt: null,
          version: 1,
        }),
      );
      return publish(saved);
    },
    async updateEndpoint(id, changes) {
      const current = await repository.findOneByOrFail({ id });
      const saved = await repository.save({ ...current, ...changes, version: current.version + 1 });
      return publish(saved);
    },
    async publishEvent(tenantId, type, data) {
      const now = Date.now();
      const accepted: AcceptedEvent = {
        kind: 'event',
        v: 1,
        tenantId,
        acceptedAt: now,
        event: {
          id: newEventId(),
          type,
          created: renderCreated(new Date(now), config.preset.createdFormat),
          api_version: config.preset.apiVersion,
          data,
          previous_attributes: {},
          request: { id: `req_${randomBytes(6).toString('hex')}`, idempotency_key: null },
          livemode: true,
        },
      };
      await producer.send({
        topic: topicForEventType(type),
        acks: -1,
        messages: [
          {
            key: `${tenantId}:${String(data.id ?? accepted.event.id)}`,
            value: encodeAcceptedEvent(accepted),
          },
        ],
      });
      return accepted;
    },
    async produce(topic, messages) {
      await producer.send({ topic, acks: -1, messages });
    },
    async close() {
      await service.close();
      await producer.disconnect();
      await db.drop();
    },
  };
}

/** Publishes a `user.created` event of user `userId` for `tenantId`; resolves with the request `receiver` got for it. */
export async function deliverUserCreated(
  harness: DispatcherHarness,
  receiver: TestReceiver,
  tenantId: string,
  userId: string,
): Promise<ReceivedRequest> {
  const event = await harness.publishEvent(tenantId, 'user.created', { id: userId });
  const [request] = await receiver.waitFor(
    1,
    20_000,
    (r) => JSON.parse(r.body.toString()).id === event.event.id,
  );
  return request;
}
