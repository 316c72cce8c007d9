import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { RunningSubscriptionService } from '../src/main';
import { startSubscription, type SubscriptionHarness, type TestTenant } from './support/subscription.harness';

/** Writes raw bytes (which no HTTP client sends) and reads the answer until the server closes. */
function rawHttp(port: number, request: string): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(request, 'latin1'));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => (chunks.length > 0 ? undefined : reject(error)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]),
        type: /\r\ncontent-type: ([^\r\n]+)/i.exec(text.slice(0, split))?.[1],
        body: text.slice(split + 4),
      });
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
}

// Protobuf wire format by hand: bytes no encoder writes.
const varint = (value: number): Buffer => {
  const bytes: number[] = [];
  let n = value;
  do {
    bytes.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Buffer.from(bytes);
};
const delimited = (field: number, bytes: Buffer): Buffer =>
  Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);

/** A google.protobuf.Struct nested `depth` levels deep (`{"a": {"a": …}}`). */
function nestedStruct(depth: number): Buffer {
  let struct: Buffer = Buffer.alloc(0);
  for (let i = 0; i < depth; i += 1) {
    const value = delimited(5, struct);
    struct = delimited(1, Buffer.concat([delimited(1, Buffer.from('a')), delimited(2, value)]));
  }
  return struct;
}

describe('malformed requests are refused naming the problem (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;
  let tenant: TestTenant;
  let client: grpc.Client;

  beforeAll(async () => {
    harness = await startSubscription();
    tenant = await harness.createTenant('Malformed requests');
    const { grpcPort } = harness.service as RunningSubscriptionService;
    client = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await harness?.close();
  });

  /** Sends request bytes as they are to a method of the admin API. */
  function callRaw(
    path: string,
    bytes: Buffer,
    token = tenant.key,
  ): Promise<{ code: grpc.status; details: string }> {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    return new Promise((resolve) =>
      client.makeUnaryRequest(
        path,
        (value: Buffer) => value,
        (value: Buffer) => value,
        bytes,
        metadata,
        { deadline: Date.now() + 10_000 },
        (error) => resolve({ code: error?.code ?? grpc.status.OK, details: error?.details ?? '' }),
      ),
    );
  }

  it.each([
    ['cut inside a varint', '/hookline.admin.v1.EndpointService/ListEndpoints', Buffer.from([0x08, 0xff])],
    ['an invalid wire type', '/hookline.admin.v1.EndpointService/GetEndpoint', Buffer.from([0x0f, 1, 2, 3])],
    ['groups nested past the limit', '/hookline.admin.v1.EventService/GetEvent', Buffer.alloc(300, 0x53)],
    [
      'a Struct nested 1,000 levels deep',
      '/hookline.admin.v1.EndpointService/SendTestEvent',
      Buffer.concat([delimited(1, Buffer.from('wh_x')), delimited(3, nestedStruct(1_000))]),
    ],
  ])('over gRPC, request bytes that are %s: INVALID_ARGUMENT, not INTERNAL', async (_name, path, bytes) => {
    const answer = await callRaw(path, bytes);
    expect(answer.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(answer.details).toMatch(/^The request is not a valid \w+ request message: .+/);
  });

  it('over gRPC, an answer that echoes a 120,000-character id stays small enough for any client', async () => {
    const tenantId = Buffer.from('x'.repeat(120_000));
    const request = Buffer.concat([Buffer.from([0x0a]), varint(tenantId.length), tenantId]);
    const answer = await callRaw(
      '/hookline.admin.v1.OperatorService/ListApiKeys',
      request,
      harness.adminToken,
    );
    expect(answer.code).toBe(grpc.status.NOT_FOUND);
    expect(answer.details).toMatch(/^No such tenant: x+…$/);
    expect(answer.details.length).toBeLessThanOrEqual(500);
  });

  it('over gRPC, a well-formed call still works after malformed ones', async () => {
    const answer = await callRaw('/hookline.admin.v1.EventService/ListEventTypes', Buffer.alloc(0));
    expect(answer).toEqual({ code: grpc.status.OK, details: '' });
  });

  it('over REST, events nested 10,000 levels deep are a 422 naming the field, not a stack overflow', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const response = await tenant.call(
      'POST',
      '/v1/webhooks',
      `{"url":"https://example.com/h","events":${deep}}`,
    );
    expect(response.status).toBe(422);
    expect(response.body.error.fields).toEqual([
      { field: expect.stringMatching(/^events(\[0\])+$/), message: 'nests deeper than 64 levels' },
    ]);
  });

  it.each([
    [
      'a NUL in a header',
      'GET /v1/webhooks HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n',
      400,
      /header is malformed/,
    ],
    ['a raw space in the path', 'GET /v1/web hooks HTTP/1.1\r\nHost: x\r\n\r\n', 400, /not valid HTTP\/1\.1/],
    [
      'a 100,000-character path',
      `GET /v1/${'w'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      414,
      /request target/,
    ],
    [
      'too large headers',
      `GET /v1/webhooks HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`,
      431,
      /headers/,
    ],
    ['no Host', 'GET /v1/webhooks HTTP/1.1\r\n\r\n', 400, /Host header/],
  ])('over HTTP, %s is answered with the API error body', async (_name, request, status, message) => {
    const answer = await rawHttp(harness.service.port, request);
    expect(answer.status).toBe(status);
    expect(answer.type).toMatch(/^application\/json/);
    const body = JSON.parse(answer.body) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request');
    expect(body.error.message).toMatch(message);
  });
});
