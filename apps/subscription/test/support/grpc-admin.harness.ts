import { randomBytes } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import { createTestDatabase, createTestKafka, type TestDatabase } from '@hookline/testing';
import { loadConfig } from '../../src/config';
import { bootstrap, type RunningSubscriptionService } from '../../src/main';
import { adminClient, callMetadata, callUnary, rpcDetail, rpcStatus } from './admin-grpc.client';
import { ensureSubscriptionTopics, type Json, testEnvironment } from './subscription.harness';

/** The admin gRPC services. */
export type ServiceName = 'OperatorService' | 'EndpointService' | 'EventService' | 'DeliveryService';
/** Calls one method of one service with the caller's credentials. */
export type Caller = (service: ServiceName, method: string, request?: object) => Promise<Json>;

/** A subscription service with its gRPC server, on a database of its own, and clients of it. */
export interface GrpcAdminHarness {
  readonly db: TestDatabase;
  readonly service: RunningSubscriptionService;
  readonly adminToken: string;
  /** Calls with the admin token. */
  readonly operator: Caller;
  /** Calls with `authorization` in the metadata (none when undefined). */
  caller(authorization: string | undefined): Caller;
  /** Creates a tenant and mints a key over the operator service; a caller with that key. */
  newTenant(name: string): Promise<{ id: string; key: string; call: Caller }>;
  close(): Promise<void>;
}

/** Starts the service (gRPC on a free port) and returns callers of it. */
export async function startGrpcAdmin(): Promise<GrpcAdminHarness> {
  await ensureSubscriptionTopics(createTestKafka('subscription-grpc-test'));
  const db = await createTestDatabase();
  const adminToken = `admin_${randomBytes(24).toString('hex')}`;
  const service = await bootstrap(
    loadConfig(
      testEnvironment(db.url, { SUBSCRIPTION_ADMIN_TOKEN: adminToken, SUBSCRIPTION_GRPC_PORT: '0' }),
    ),
  );
  const clients = new Map<ServiceName, grpc.Client>();
  const caller =
    (authorization: string | undefined): Caller =>
    (serviceName, method, request = {}) => {
      let client = clients.get(serviceName);
      if (!client) {
        client = adminClient(serviceName, service.grpcPort);
        clients.set(serviceName, client);
      }
      return callUnary(client, method, request, callMetadata(authorization));
    };
  const operator = caller(`Bearer ${adminToken}`);
  return {
    db,
    service,
    adminToken,
    operator,
    caller,
    async newTenant(name) {
      const tenant = await operator('OperatorService', 'CreateTenant', { name });
      const minted = await operator('OperatorService', 'MintApiKey', { tenant_id: tenant.id, name: 'grpc' });
      return { id: tenant.id, key: minted.key, call: caller(`Bearer ${minted.key}`) };
    },
    async close() {
      for (const client of clients.values()) client.close();
      await service.close();
      await db.drop();
    },
  };
}

export function fieldViolations(error: grpc.ServiceError): Array<{ field: string; description: string }> {
  const status = rpcStatus(error);
  expect(status.code).toBe(grpcStatus.INVALID_ARGUMENT);
  expect(status.message).toBe(error.details);
  expect(status.details).toHaveLength(1);
  expect(status.details[0].type_url).toBe('type.googleapis.com/google.rpc.BadRequest');
  return rpcDetail(status.details[0], 'BadRequest').field_violations;
}

export function timestamp(date: Date): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(date.getTime() / 1000)), nanos: (date.getTime() % 1000) * 1_000_000 };
}

export function instant(value: { seconds: string; nanos: number } | null): string | null {
  return value === null ? null : new Date(Number(value.seconds) * 1000 + value.nanos / 1e6).toISOString();
}

/** A Struct as the client decodes it, back to JSON. */
export function structToJson(struct: Json): Record<string, unknown> {
  const value = (item: Json): unknown => {
    if (item.structValue) return structToJson(item.structValue);
    if (item.listValue) return item.listValue.values.map(value);
    for (const member of ['stringValue', 'numberValue', 'boolValue']) {
      if (item[member] !== undefined) return item[member];
    }
    return null;
  };
  return Object.fromEntries(Object.entries(struct.fields).map(([key, item]) => [key, value(item)]));
}
