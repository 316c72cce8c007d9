import { randomBytes } from 'node:crypto';
import { DELIVERY_TASKS_TOPIC, SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { declareTopics, ensureTopicsOnCluster } from '@hookline/kafka';
import type { RunningService } from '@hookline/observability';
import { SecretSealer } from '@hookline/sealing';
import { createTestDatabase, createTestKafka, type TestDatabase } from '@hookline/testing';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { loadConfig, type SubscriptionConfig } from '../../src/config';
import { bootstrap } from '../../src/main';
import { TopicTap } from './topic-tap';

/** A parsed JSON body; tests check its shape with assertions rather than with types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** An HTTP answer: status, parsed JSON body (or text) and headers. */
export interface ApiResponse<T = Json> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** Sends one request; `body` is JSON-encoded unless it is a string. */
export type ApiCall = <T = Json>(method: string, path: string, body?: unknown) => Promise<ApiResponse<T>>;

/** A tenant created through the operator API, with a working key. */
export interface TestTenant {
  readonly id: string;
  readonly key: string;
  readonly call: ApiCall;
}

/** A subscription service running in-process on a database of its own. */
export interface SubscriptionHarness {
  readonly service: RunningService;
  readonly config: SubscriptionConfig;
  readonly db: TestDatabase;
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  readonly adminToken: string;
  /** Opens what the service sealed, with the service's own keyring. */
  readonly sealer: SecretSealer;
  /** Calls the operator API with the admin token. */
  readonly admin: ApiCall;
  /** Calls the API with any `Authorization` header (or none). */
  withAuthorization(authorization: string | undefined): ApiCall;
  /** Creates a tenant and mints a key for it. */
  createTenant(name?: string): Promise<TestTenant>;
  /** Starts watching a topic. */
  tap(topic: string): Promise<TopicTap>;
  close(): Promise<void>;
}

/** Creates the topics the service writes to, as declared (idempotent). */
export async function ensureSubscriptionTopics(kafka: Kafka): Promise<void> {
  const wanted = new Set([SUBSCRIPTION_CHANGELOG_TOPIC, DELIVERY_TASKS_TOPIC]);
  const specs = declareTopics({ retryDelaysMs: [] }).filter((spec) => wanted.has(spec.name));
  if (specs.length !== wanted.size) throw new Error('the changelog or delivery tasks topic is not declared');
  await ensureTopicsOnCluster(kafka, specs);
}

/** Environment of a test service: the test broker and database, a random port, quiet logs. */
export function testEnvironment(databaseUrl: string, overrides: Record<string, string | undefined> = {}) {
  return {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'error',
    KAFKA_LOG_LEVEL: 'nothing',
    ...overrides,
  };
}

/** Sends requests to `baseUrl` with the given `Authorization` header. */
export function apiClient(baseUrl: string, authorization: string | undefined): ApiCall {
  return async (method, path, body) => {
    const headers: Record<string, string> = {};
    if (authorization !== undefined) headers.authorization = authorization;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (e.g. the Swagger UI page); the text is the body.
    }
    return { status: response.status, body: parsed as Json, headers: response.headers };
  };
}

/** Boots the service on a fresh database; `env` overrides any key (e.g. `HOOKLINE_PRESET`). */
export async function startSubscription(
  env: Record<string, string | undefined> = {},
): Promise<SubscriptionHarness> {
  const kafka = createTestKafka('subscription-test');
  await ensureSubscriptionTopics(kafka);
  const db = await createTestDatabase();
  const adminToken = `admin_${randomBytes(24).toString('hex')}`;
  const config = loadConfig(testEnvironment(db.url, { SUBSCRIPTION_ADMIN_TOKEN: adminToken, ...env }));
  let service: RunningService;
  try {
    service = await bootstrap(config);
  } catch (error) {
    await db.drop();
    throw error;
  }
  const admin = apiClient(service.url, `Bearer ${adminToken}`);
  return {
    service,
    config,
    db,
    dataSource: db.dataSource,
    kafka,
    adminToken,
    sealer: new SecretSealer(config.secretKeys),
    admin,
    withAuthorization: (authorization) => apiClient(service.url, authorization),
    async createTenant(name = 'Test tenant') {
      const tenant = await admin('POST', '/v1/admin/tenants', { name });
      if (tenant.status !== 201)
        throw new Error(`creating a tenant failed: ${tenant.status} ${JSON.stringify(tenant.body)}`);
      const key = await admin('POST', `/v1/admin/tenants/${tenant.body.id}/api-keys`, { name: 'test' });
      if (key.status !== 201)
        throw new Error(`minting a key failed: ${key.status} ${JSON.stringify(key.body)}`);
      return {
        id: tenant.body.id,
        key: key.body.key,
        call: apiClient(service.url, `Bearer ${key.body.key}`),
      };
    },
    tap: (topic) => TopicTap.open(kafka, topic),
    async close() {
      await service.close();
      await db.drop();
    },
  };
}
