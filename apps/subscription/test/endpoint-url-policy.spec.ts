import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { RunningSubscriptionService } from '../src/main';
import { adminClient, callMetadata, callUnary, grpcFailure } from './support/admin-grpc.client';
import {
  type Json,
  startSubscription,
  type SubscriptionHarness,
  type TestTenant,
} from './support/subscription.harness';

// Every literal spelling of an internal address, and the class a tenant is told instead of it.
const INTERNAL_URLS: ReadonlyArray<readonly [string, string]> = [
  ['http://2130706433/hooks', 'a loopback address'],
  ['http://0177.0.0.1/hooks', 'a loopback address'],
  ['http://0x7f.0.0.1/hooks', 'a loopback address'],
  ['http://127.1/hooks', 'a loopback address'],
  ['https://127.0.0.1/hooks', 'a loopback address'],
  ['http://[::ffff:127.0.0.1]/hooks', 'a loopback address'],
  ['http://[::127.0.0.1]/hooks', 'a loopback address'],
  ['https://localhost/hooks', 'a loopback address'],
  ['https://hooks.localhost/hooks', 'a loopback address'],
  ['https://169.254.169.254/latest/meta-data/', 'a cloud metadata address'],
  ['http://[64:ff9b::a9fe:a9fe]/hooks', 'a cloud metadata address'],
  ['http://[2002:a9fe:a9fe::]/hooks', 'a cloud metadata address'],
  ['http://[2001::a9fe:a9fe]/hooks', 'an unspecified address'],
  ['https://10.0.0.1/hooks', 'a private network address'],
  ['https://[fd00::1]/hooks', 'a private network address'],
];

const CONTROL_MESSAGE = 'must not contain spaces, tabs, line breaks or other control characters';

describe('endpoint URLs in the production posture (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;
  let tenant: TestTenant;
  let client: grpc.Client;

  beforeAll(async () => {
    harness = await startSubscription({
      NODE_ENV: 'production',
      HOOKLINE_SECRET_KEYS: `urlpolicy:${randomBytes(32).toString('base64')}`,
      // http is allowed here so that the host, not the scheme, is what refuses `http://2130706433/`.
      SUBSCRIPTION_ALLOW_HTTP_URLS: 'true',
      SUBSCRIPTION_ALLOWED_CIDRS: '192.168.77.0/24',
    });
    tenant = await harness.createTenant('URL policy');
    const { grpcPort } = harness.service as RunningSubscriptionService;
    client = adminClient('EndpointService', grpcPort);
  });
  afterAll(async () => {
    client?.close();
    await harness?.close();
  });

  function grpcCall(method: 'CreateEndpoint' | 'UpdateEndpoint', request: object): Promise<Json> {
    return callUnary(client, method, request, callMetadata(`Bearer ${tenant.key}`));
  }

  function grpcFailureOf(method: 'CreateEndpoint' | 'UpdateEndpoint', request: object) {
    return grpcFailure(grpcCall(method, request));
  }

  const endpointCount = async (): Promise<number> => {
    const [{ count }] = await harness.dataSource.query(
      'SELECT count(*)::int AS count FROM endpoints WHERE tenant_id = $1',
      [tenant.id],
    );
    return count;
  };

  it.each(INTERNAL_URLS)('REST creation refuses %s with 422 naming url and %s', async (url, phrase) => {
    const before = await endpointCount();
    const response = await tenant.call('POST', '/v1/webhooks', { url, events: ['user.created'] });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ type: 'validation_error' });
    expect(response.body.error.fields).toEqual([{ field: 'url', message: `must not point to ${phrase}` }]);
    expect(await endpointCount()).toBe(before);
  });

  it('REST updates are judged the same way and change nothing', async () => {
    const created = await tenant.call('POST', '/v1/webhooks', {
      url: 'https://example.com/hooks',
      events: ['user.created'],
    });
    expect(created.status).toBe(201);
    for (const [url, phrase] of INTERNAL_URLS) {
      const response = await tenant.call('PATCH', `/v1/webhooks/${created.body.id}`, { url });
      expect({ url, status: response.status, fields: response.body.error?.fields }).toEqual({
        url,
        status: 422,
        fields: [{ field: 'url', message: `must not point to ${phrase}` }],
      });
    }
    const stored = await tenant.call('GET', `/v1/webhooks/${created.body.id}`);
    expect(stored.body).toMatchObject({ url: 'https://example.com/hooks', version: 1 });
  });

  it('accepts names, public addresses (embedded ones included) and what the operator allow-lists', async () => {
    for (const url of [
      'https://example.com/hooks',
      'https://8.8.8.8/hooks',
      'https://[2606:4700::1111]/hooks',
      'https://[2002:808:808::1]/hooks',
      'https://[2001:0:808:808::fefe:fefe]/hooks',
      'https://192.168.77.5/hooks',
    ]) {
      const response = await tenant.call('POST', '/v1/webhooks', { url, events: ['user.created'] });
      expect({ url, status: response.status, stored: response.body.url }).toEqual({
        url,
        status: 201,
        stored: url,
      });
    }
  });

  it('refuses control characters and whitespace anywhere in the URL', async () => {
    for (const url of ['https://example.com/a\r\nb', 'https://exam\tple.com/', ' https://example.com/']) {
      const response = await tenant.call('POST', '/v1/webhooks', { url, events: ['user.created'] });
      expect({ url, status: response.status, fields: response.body.error?.fields }).toEqual({
        url,
        status: 422,
        fields: [{ field: 'url', message: CONTROL_MESSAGE }],
      });
    }
  });

  it('gRPC CreateEndpoint and UpdateEndpoint refuse internal addresses with INVALID_ARGUMENT naming url', async () => {
    const before = await endpointCount();
    for (const [url, phrase] of INTERNAL_URLS) {
      const error = await grpcFailureOf('CreateEndpoint', { url, events: ['user.created'] });
      expect({ url, code: error.code, details: error.details }).toEqual({
        url,
        code: grpc.status.INVALID_ARGUMENT,
        details: `Invalid request: url must not point to ${phrase}`,
      });
    }
    expect(await endpointCount()).toBe(before);

    const { endpoint } = await grpcCall('CreateEndpoint', {
      url: 'https://example.com/grpc',
      events: ['user.created'],
    });
    const error = await grpcFailureOf('UpdateEndpoint', {
      id: endpoint.id,
      url: 'http://[::ffff:169.254.169.254]/',
      update_mask: { paths: ['url'] },
    });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toBe('Invalid request: url must not point to a cloud metadata address');
  });
});
