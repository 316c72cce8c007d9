import * as grpc from '@grpc/grpc-js';
import { mintApiKey } from '@hookline/tenancy';
import { type JsonAnswer, lastKeyUse, requestFrom } from '@hookline/testing';
import type { RunningSubscriptionService } from '../src/main';
import { adminClient, callMetadata, callUnary, rpcDetail, rpcStatus } from './support/admin-grpc.client';
import {
  type Json,
  startSubscription,
  type SubscriptionHarness,
  type TestTenant,
} from './support/subscription.harness';

/** Sends `GET path` from `localAddress` (a loopback address of its own). */
function getFrom(
  baseUrl: string,
  path: string,
  localAddress: string,
  authorization: string,
): Promise<JsonAnswer> {
  return requestFrom(new URL(path, baseUrl), localAddress, { method: 'GET', headers: { authorization } });
}

function expectRateLimited(answer: JsonAnswer): number {
  expect(answer.status).toBe(429);
  const retryAfter = Number(answer.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 600).toBe(true);
  expect(answer.body).toEqual({
    error: {
      type: 'rate_limited',
      message: `Too many failed authentications from this address or for this key; retry in ${retryAfter} s`,
    },
  });
  return retryAfter;
}

describe('brake on failed authentications (REST and gRPC, real HTTP, Postgres and Kafka)', () => {
  const FAILURES = 4;
  let harness: SubscriptionHarness;
  let tenant: TestTenant;
  let stopped = false;
  const began = new Date();
  const clients: grpc.Client[] = [];

  beforeAll(async () => {
    harness = await startSubscription({
      AUTH_BRAKE_FAILURES: String(FAILURES),
      AUTH_BRAKE_WINDOW: '10m',
      // The test's gRPC client connects from 127.0.0.1 and names the client it stands for.
      AUTH_TRUSTED_PROXIES: '127.0.0.1',
      API_KEY_LAST_USED_INTERVAL: '10m',
    });
    tenant = await harness.createTenant('Brake');
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    if (stopped) await harness.db.drop();
    else await harness?.close();
  });

  it('answers 429 with Retry-After to an address sending wrong API keys, and serves valid keys from elsewhere', async () => {
    const url = harness.service.url;
    for (let attempt = 0; attempt < FAILURES; attempt += 1) {
      const refused = await getFrom(url, '/v1/webhooks', '127.0.0.2', `Bearer ${mintApiKey().key}`);
      expect([refused.status, refused.body.error.type]).toEqual([401, 'unauthenticated']);
    }
    expectRateLimited(await getFrom(url, '/v1/webhooks', '127.0.0.2', `Bearer ${mintApiKey().key}`));
    // The operator API shares the brake: that address is refused there too, token unchecked.
    expectRateLimited(
      await getFrom(url, '/v1/admin/tenants/x/api-keys', '127.0.0.2', `Bearer ${harness.adminToken}`),
    );

    const listed = await getFrom(url, '/v1/webhooks', '127.0.0.3', `Bearer ${tenant.key}`);
    expect([listed.status, listed.body.object]).toEqual([200, 'list']);
  });

  it('brakes wrong admin tokens per address', async () => {
    const url = harness.service.url;
    for (let attempt = 0; attempt < FAILURES; attempt += 1) {
      const refused = await getFrom(
        url,
        `/v1/admin/tenants/${tenant.id}/api-keys`,
        '127.0.0.5',
        'Bearer wrong-token-0123456789-abcdef',
      );
      expect(refused.status).toBe(401);
    }
    expectRateLimited(
      await getFrom(
        url,
        `/v1/admin/tenants/${tenant.id}/api-keys`,
        '127.0.0.5',
        `Bearer ${harness.adminToken}`,
      ),
    );
    const keys = await getFrom(
      url,
      `/v1/admin/tenants/${tenant.id}/api-keys`,
      '127.0.0.6',
      `Bearer ${harness.adminToken}`,
    );
    expect(keys.status).toBe(200);
  });

  it('answers RESOURCE_EXHAUSTED with a RetryInfo over gRPC, counting the client a trusted proxy names', async () => {
    const client = adminClient('EndpointService', (harness.service as RunningSubscriptionService).grpcPort);
    clients.push(client);
    const call = (key: string, forwardedFor: string): Promise<grpc.ServiceError | Json> =>
      callUnary(
        client,
        'ListEndpoints',
        {},
        callMetadata(`Bearer ${key}`, { 'x-forwarded-for': forwardedFor }),
      ).catch((error: grpc.ServiceError) => error);

    for (let attempt = 0; attempt < FAILURES; attempt += 1) {
      expect((await call(mintApiKey().key, '198.51.100.7')).code).toBe(grpc.status.UNAUTHENTICATED);
    }
    const braked = (await call(mintApiKey().key, '198.51.100.7')) as grpc.ServiceError;
    expect(braked.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const status = rpcStatus(braked);
    expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(status.details.map((detail: Json) => detail.type_url)).toEqual([
      'type.googleapis.com/google.rpc.RetryInfo',
    ]);
    const retryInfo = rpcDetail(status.details[0], 'RetryInfo');
    const seconds = Number(retryInfo.retry_delay.seconds);
    expect(seconds > 0 && seconds <= 600).toBe(true);
    expect(braked.details).toBe(
      `Too many failed authentications from this address or for this key; retry in ${seconds} s`,
    );

    const page = await call(tenant.key, '198.51.100.8');
    expect(page.endpoints).toEqual([]);
  });

  it("records each key's last use, written at the latest when the service stops", async () => {
    // Not a write per request: the periodic write (every 10 minutes here) has not come yet.
    expect(await lastKeyUse(harness.dataSource, tenant.id)).toBeNull();

    stopped = true;
    await harness.service.close();
    const used = await lastKeyUse(harness.dataSource, tenant.id);
    expect(used).toBeInstanceOf(Date);
    expect(used?.getTime()).toBeGreaterThanOrEqual(began.getTime());
    expect(used?.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
