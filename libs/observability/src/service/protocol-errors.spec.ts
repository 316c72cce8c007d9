import { connect } from 'node:net';
import { resolvePreset } from '@hookline/presets';
import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { bootstrapService, type RunningService } from './bootstrap-service';
import { describeClientError } from './protocol-errors';
import type { ServiceConfig } from './service-config';

@Controller()
class PingController {
  @Get('ping')
  ping(): string {
    return 'pong';
  }

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

const config: ServiceConfig = {
  service: 'ingest',
  preset: resolvePreset('hookline'),
  http: { host: '127.0.0.1', port: 0 },
  kafka: {
    brokers: ['127.0.0.1:9092'],
    clientId: 'unused',
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 1_000,
  },
  database: { url: 'postgres://unused@127.0.0.1/unused', poolSize: 1 },
  logLevel: 'error',
  shutdownGraceMs: 5_000,
};

interface RawAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Writes bytes no HTTP client library would send, and reads the answer until the server closes. */
function exchange(port: number, request: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => (chunks.length > 0 ? undefined : reject(error)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
        contentType: /\r\ncontent-type: ([^\r\n]+)/i.exec(head)?.[1],
        body: text.slice(split + 4),
      });
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
}

describe('describeClientError', () => {
  const error = (code: string, rawPacket?: string) =>
    Object.assign(new Error('Parse Error'), {
      code,
      rawPacket: rawPacket ? Buffer.from(rawPacket) : undefined,
    });

  it('tells a request target that is too long from headers that are too large', () => {
    expect(describeClientError(error('HPE_HEADER_OVERFLOW', `GET /${'a'.repeat(20_000)}`), 16_384)).toEqual({
      status: 414,
      message: 'the request target (path and query) is longer than the 16384 bytes accepted',
    });
    expect(
      describeClientError(error('HPE_HEADER_OVERFLOW', `GET / HTTP/1.1\r\nX: ${'a'.repeat(20_000)}`), 16_384),
    ).toEqual({
      status: 431,
      message:
        'the request headers are larger than the 16384 bytes accepted (request line and headers together)',
    });
  });

  it('names the malformed part, and answers nothing to a connection that is gone', () => {
    expect(
      describeClientError(
        Object.assign(error('HPE_INVALID_HEADER_TOKEN'), { reason: 'Invalid header value char' }),
      ),
    ).toEqual({
      status: 400,
      message: expect.stringMatching(
        /^the request is not valid HTTP\/1\.1: a request header is malformed.*\(Invalid header value char\)$/,
      ),
    });
    expect(describeClientError(error('ERR_HTTP_REQUEST_TIMEOUT'))?.status).toBe(408);
    expect(describeClientError(error('HPE_SOMETHING_NEW'))).toEqual({
      status: 400,
      message: 'the request is not valid HTTP/1.1: it could not be parsed',
    });
    expect(describeClientError(error('ECONNRESET'))).toBeUndefined();
  });
});

describe('answers of the HTTP server itself, through bootstrapService', () => {
  let service: RunningService;

  beforeAll(async () => {
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    service = await bootstrapService(PingModule, config, {
      errorBody: (status, message) => ({ error: { type: `status_${status}`, message } }),
    });
  });

  afterAll(async () => {
    await service.close();
    jest.restoreAllMocks();
  });

  const cases: Array<[string, string | Buffer, number, RegExp]> = [
    [
      'a NUL in a header value',
      'GET /ping HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n',
      400,
      /header is malformed.*, in the value of header "X-A"$/,
    ],
    ['a bad header name', 'GET /ping HTTP/1.1\r\nHost: x\r\nX(A: b\r\n\r\n', 400, /in the header name "X"$/],
    ['a raw space in the path', 'GET /a b/c HTTP/1.1\r\nHost: x\r\n\r\n', 400, /, in the request line$/],
    [
      'a 100,000-character path',
      `GET /${'p'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      414,
      /request target/,
    ],
    [
      'headers over the limit',
      `GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`,
      431,
      /headers are larger/,
    ],
    ['an unknown method', 'FOO /ping HTTP/1.1\r\nHost: x\r\n\r\n', 400, /method/],
    [
      'an invalid Content-Length',
      'POST /ping HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      400,
      /Content-Length/,
    ],
    [
      'a malformed chunk',
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      400,
      /chunk/,
    ],
    ['an HTTP/1.1 request without Host', 'GET /ping HTTP/1.1\r\n\r\n', 400, /Host header/],
    [
      'an Expect other than 100-continue',
      'GET /ping HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n',
      417,
      /Expect/,
    ],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 405, /CONNECT/],
  ];

  it.each(cases)('answers %s with the service error body', async (_name, request, status, message) => {
    const answer = await exchange(service.port, request);
    expect(answer.status).toBe(status);
    expect(answer.contentType).toMatch(/^application\/json/);
    const body = JSON.parse(answer.body) as { error: { type: string; message: string } };
    expect(body.error.type).toBe(`status_${status}`);
    expect(body.error.message).toMatch(message);
  });

  it('still serves well-formed requests, over HTTP/1.0 without a Host too', async () => {
    expect(
      (await exchange(service.port, 'GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).body,
    ).toBe('pong');
    expect((await exchange(service.port, 'GET /ping HTTP/1.0\r\n\r\n')).body).toBe('pong');
  });
});
