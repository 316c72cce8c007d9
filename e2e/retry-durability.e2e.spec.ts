import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  type AcceptedEvent,
  encodeAcceptedEvent,
  encodeEndpointChange,
  newEventId,
  renderCreated,
  retryTierTopic,
  SUBSCRIPTION_CHANGELOG_TOPIC,
  topicForEventType,
} from '@hookline/events';
import { createKafka } from '@hookline/kafka';
import { createDataSource, EndpointEntity, endpointSnapshot } from '@hookline/persistence';
import { consumeUntil, type ReceivedRequest, startReceiver, type TestReceiver } from '@hookline/testing';
import { type Kafka, Partitioners } from 'kafkajs';
import {
  createMigratedDatabase,
  createTopics,
  ROOT,
  type ServiceProcess,
  startService,
} from './support/platform';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startKafka } = require(join(ROOT, 'tools', 'infra', 'kafka.cjs')) as {
  startKafka(options: { port: number; fresh?: boolean }): Promise<{ brokers: string; stop(): Promise<void> }>;
};

/**
 * Parked retries survive the retry scheduler dying and the broker restarting: the dispatcher and
 * the scheduler run as separate processes on a broker of the test's own; the scheduler is SIGKILLed
 * while every task waits, the broker is restarted, a new scheduler is SIGKILLed again while it
 * waits, and the last one must still hand every task on, none before its due time.
 */
// Below the ephemeral port range, so no client socket can be holding it when the broker restarts.
const KAFKA_PORT = 31492;
const DELIVERIES = 24;
// Long enough for two scheduler take-overs and a broker restart to happen before anything is due.
const DELAY_MS = 90_000;
const TENANT = `ten_durable_${randomBytes(4).toString('hex')}`;
const GROUP = 'hookline-retry-scheduler';

describe('retry scheduler crash and broker restart', () => {
  let broker: { brokers: string; stop(): Promise<void> };
  let database: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;
  let kafka: Kafka;
  let receiver: TestReceiver;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    broker = await startKafka({ port: KAFKA_PORT, fresh: true });
    database = await createMigratedDatabase(`hookline_e2e_retry_${process.pid}`);
    env = {
      KAFKA_BROKERS: broker.brokers,
      DATABASE_URL: database.url,
      HOOKLINE_PRESET: 'hookline',
      HOOKLINE_RETRY_SCHEDULE: `${DELAY_MS}ms`,
      HOOKLINE_RETRY_JITTER: '0',
      // Few partitions keep the broker's restart (log recovery) short.
      HOOKLINE_TOPIC_PARTITIONS: '2',
      DISPATCHER_ALLOW_HTTP: 'true',
      DISPATCHER_ALLOWED_CIDRS: '127.0.0.0/8,::1',
      DISPATCHER_BREAKER_MIN_REQUESTS: '100000',
      // A killed scheduler's tiers go to the next one after this long without heartbeats.
      RETRY_SCHEDULER_SESSION_TIMEOUT: '8s',
      SHUTDOWN_GRACE_MS: '5s',
      // The services say where they listen at info level; that is how the test finds them.
      LOG_LEVEL: 'info',
    };
    createTopics(env);
    kafka = createKafka({
      brokers: [broker.brokers],
      clientId: 'retry-durability-test',
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 30_000,
      logLevel: 'nothing',
    });
    // Fails the first attempt of every delivery, accepts every later one.
    const attempts = new Map<string, number>();
    receiver = await startReceiver((request) => {
      const id = String(request.headers['x-hookline-delivery']);
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      return attempts.get(id) === 1 ? { status: 503 } : {};
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.kill().catch(() => undefined)));
    await receiver?.close();
    await database?.drop();
    await broker?.stop();
  });

  it('hands every parked task on, none early, across two SIGKILLs and a broker restart', async () => {
    const endpointId = await seedEndpoint(kafka, database.url, receiver.url);
    services.push(await startService('dispatcher', env));
    const first = await startService('retry-scheduler', env);
    services.push(first);

    await publishEvents(kafka, DELIVERIES);
    await receiver.waitFor(DELIVERIES, 60_000);
    const parked = await consumeUntil(
      kafka,
      retryTierTopic(DELAY_MS),
      (messages) => messages.length >= DELIVERIES,
      30_000,
    );
    const dueAt = new Map(
      parked.map((m) => {
        const task = JSON.parse(m.value as string) as { deliveryId: string; dueAt: number; attempt: number };
        expect(task.attempt).toBe(2);
        return [task.deliveryId, task.dueAt];
      }),
    );
    expect(dueAt.size).toBe(DELIVERIES);
    const firstDue = Math.min(...dueAt.values());
    const firstMember = await soleMember(kafka, undefined, 30_000);

    // Every task is waiting: kill the scheduler without warning, then restart the broker.
    await first.kill();
    await broker.stop();
    broker = await startKafka({ port: KAFKA_PORT });

    // A new scheduler takes the tiers over (once the killed one's session has expired)...
    const second = await startService('retry-scheduler', env);
    services.push(second);
    const secondMember = await soleMember(kafka, firstMember, 60_000);
    // ...and is killed in turn while it holds them paused.
    await second.kill();
    const third = await startService('retry-scheduler', env);
    services.push(third);
    const thirdMember = await soleMember(kafka, secondMember, 60_000);
    // Otherwise "not early" would be trivially true: the last scheduler took over before anything was due.
    expect(Date.now()).toBeLessThan(firstDue);

    const byDelivery = new Map<string, ReceivedRequest[]>();
    const deadline = Date.now() + DELAY_MS + 60_000;
    for (;;) {
      byDelivery.clear();
      for (const request of receiver.requests) {
        const id = String(request.headers['x-hookline-delivery']);
        byDelivery.set(id, [...(byDelivery.get(id) ?? []), request]);
      }
      if ([...dueAt.keys()].every((id) => (byDelivery.get(id)?.length ?? 0) >= 2)) break;
      if (Date.now() > deadline) throw new Error('not every parked retry was delivered');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect([...byDelivery.keys()].sort()).toEqual([...dueAt.keys()].sort());
    for (const [deliveryId, requests] of byDelivery) {
      const [, ...retries] = requests.sort((a, b) => a.at - b.at);
      expect(retries.length).toBeGreaterThanOrEqual(1);
      for (const retry of retries) expect(retry.at).toBeGreaterThanOrEqual(dueAt.get(deliveryId) as number);
    }

    // The last scheduler kept its membership while its partitions were paused far longer than the
    // session timeout: it went on heartbeating.
    expect(await soleMember(kafka, undefined, 10_000)).toBe(thirdMember);

    const client = createDataSource({ url: database.url, poolSize: 1 });
    await client.initialize();
    try {
      const rows: Array<{ status: string; count: string }> = await client.query(
        `SELECT status, count(*) FROM deliveries WHERE endpoint_id = $1 GROUP BY status`,
        [endpointId],
      );
      expect(rows.map((row) => [row.status, Number(row.count)])).toEqual([['succeeded', DELIVERIES]]);
    } finally {
      await client.destroy();
    }
  }, 300_000);
});

/** Stores an endpoint and publishes it to the changelog, as the subscription service does. */
async function seedEndpoint(kafka: Kafka, databaseUrl: string, url: string): Promise<string> {
  const dataSource = createDataSource({ url: databaseUrl, poolSize: 1 });
  await dataSource.initialize();
  try {
    await dataSource.query(`INSERT INTO tenants (id, name) VALUES ($1, $1)`, [TENANT]);
    const repository = dataSource.getRepository(EndpointEntity);
    const endpoint = await repository.save(
      repository.create({
        id: `wh_${randomBytes(8).toString('hex')}`,
        tenantId: TENANT,
        url,
        events: ['user.created'],
        secret: `whsec_${randomBytes(32).toString('base64')}`,
        previousSecret: null,
        previousSecretExpiresAt: null,
        headers: {},
        metadata: {},
        description: null,
        active: true,
        disabledReason: null,
        disabledAt: null,
        version: 1,
      }),
    );
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: SUBSCRIPTION_CHANGELOG_TOPIC,
      acks: -1,
      messages: [{ key: endpoint.id, value: encodeEndpointChange(endpointSnapshot(endpoint)) }],
    });
    await producer.disconnect();
    return endpoint.id;
  } finally {
    await dataSource.destroy();
  }
}

/** Produces accepted `user.created` events, as ingest does. */
async function publishEvents(kafka: Kafka, count: number): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const now = Date.now();
  const messages = Array.from({ length: count }, (_, i) => {
    const accepted: AcceptedEvent = {
      kind: 'event',
      v: 1,
      tenantId: TENANT,
      acceptedAt: now,
      event: {
        id: newEventId(),
        type: 'user.created',
        created: renderCreated(new Date(now), 'iso8601'),
        api_version: '2026-11-01',
        data: { id: `user_${i}`, email: `user${i}@example.com`, name: `User ${i}` },
        previous_attributes: {},
        request: { id: `req_${i}`, idempotency_key: null },
        livemode: true,
      },
    };
    return { key: `${TENANT}:user_${i}`, value: encodeAcceptedEvent(accepted) };
  });
  await producer.send({ topic: topicForEventType('user.created'), acks: -1, messages });
  await producer.disconnect();
}

/**
 * Waits until the scheduler group is stable with one member other than `previous` (a killed
 * scheduler's member lingers until its session expires), and returns that member's id.
 */
async function soleMember(kafka: Kafka, previous: string | undefined, timeoutMs: number): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { groups } = await admin.describeGroups([GROUP]).catch(() => ({ groups: [] as never[] }));
      const group = groups[0] as { state: string; members: Array<{ memberId: string }> } | undefined;
      const member = group?.members[0]?.memberId;
      if (group?.state === 'Stable' && group.members.length === 1 && member !== previous)
        return member as string;
      if (Date.now() > deadline) throw new Error(`the ${GROUP} group did not settle on one member`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}
