import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressPolicy } from '@hookline/egress';
import { type AddressRefusal, HttpSender, type SendResult } from './http-sender';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

async function receiver(handler: Handler): Promise<{ url: string; port: number; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, server };
}

const options = {
  allowHttp: true,
  connectionsPerOrigin: 4,
  keepAliveMs: 1000,
  responseExcerptBytes: 16 * 1024,
};

describe('HttpSender', () => {
  const servers: Server[] = [];
  const loopbackSender = new HttpSender({ ...options, guard: new AddressPolicy(['127.0.0.0/8', '::1']) });
  const refusals: AddressRefusal[] = [];
  const strictSender = new HttpSender({
    ...options,
    guard: new AddressPolicy(),
    onRefused: (refusal) => refusals.push(refusal),
  });

  afterAll(async () => {
    await Promise.all([loopbackSender.close(), strictSender.close()]);
    await Promise.all(
      servers.map((s) => {
        s.closeAllConnections();
        return new Promise((resolve) => s.close(resolve));
      }),
    );
  });

  async function start(handler: Handler) {
    const r = await receiver(handler);
    servers.push(r.server);
    return r;
  }

  it('sends exactly the given bytes and headers and keeps the answer', async () => {
    let seen: { body: Buffer; headers: IncomingMessage['headers'] } | undefined;
    const { url } = await start((req, res, body) => {
      seen = { body, headers: req.headers };
      res.writeHead(200, { 'x-answer': 'yes' }).end('OK');
    });
    const body = Buffer.from('{"a":"é"}');
    const result = await loopbackSender.send({
      url: `${url}/hook?x=1`,
      headers: { 'content-type': 'application/json', 'x-test': 'v' },
      body,
      timeoutMs: 5000,
    });
    expect(result).toMatchObject({
      kind: 'response',
      status: 200,
      bodyExcerpt: 'OK',
      headers: { 'x-answer': 'yes' },
    });
    expect(seen?.body.equals(body)).toBe(true);
    expect(seen?.headers['x-test']).toBe('v');
  });

  it('keeps only the first bytes of a large answer', async () => {
    const { url } = await start((_req, res) => res.writeHead(500).end('x'.repeat(40 * 1024)));
    const result = await loopbackSender.send({ url, headers: {}, body: Buffer.from('{}'), timeoutMs: 5000 });
    expect(result.kind === 'response' && result.bodyExcerpt.length).toBe(16 * 1024);
    expect(result).toMatchObject({ status: 500 });
  });

  it('does not follow redirects', async () => {
    let hits = 0;
    const { url } = await start((_req, res) => {
      hits += 1;
      res.writeHead(301, { location: '/elsewhere' }).end();
    });
    const result = await loopbackSender.send({ url, headers: {}, body: Buffer.from('{}'), timeoutMs: 5000 });
    expect(result).toMatchObject({ kind: 'response', status: 301 });
    expect(hits).toBe(1);
  });

  it('gives up after the attempt timeout', async () => {
    const { url } = await start((_req, res) => setTimeout(() => res.end('late'), 3000).unref());
    const result = await loopbackSender.send({ url, headers: {}, body: Buffer.from('{}'), timeoutMs: 200 });
    expect(result).toMatchObject({ kind: 'error', errorClass: 'timeout' });
  });

  it('reports a refused connection', async () => {
    const { port, server } = await receiver(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    const result = await loopbackSender.send({
      url: `http://127.0.0.1:${port}`,
      headers: {},
      body: Buffer.from('{}'),
      timeoutMs: 2000,
    });
    expect(result).toMatchObject({ kind: 'error', errorClass: 'connection-refused' });
  });

  it('refuses http:// targets unless allowed', async () => {
    const httpsOnly = new HttpSender({
      ...options,
      allowHttp: false,
      guard: new AddressPolicy(['127.0.0.0/8']),
    });
    const result = await httpsOnly.send({
      url: 'http://127.0.0.1:9/',
      headers: {},
      body: Buffer.from('{}'),
      timeoutMs: 1000,
    });
    await httpsOnly.close();
    expect(result).toMatchObject({ kind: 'error', errorClass: 'http-not-allowed' });
  });

  describe('without an allow-list', () => {
    let hits = 0;
    let port = 0;
    beforeAll(async () => {
      const r = await start((_req, res) => {
        hits += 1;
        res.end('should not be reached');
      });
      port = r.port;
    });

    const refuse = async (url: string): Promise<SendResult> => {
      const result = await strictSender.send({ url, headers: {}, body: Buffer.from('{}'), timeoutMs: 2000 });
      expect(result).toMatchObject({ kind: 'error', errorClass: 'blocked-address' });
      return result;
    };

    it.each([
      ['http://10.0.0.1/hook', 'private network', '10.0.0.1'],
      ['http://169.254.169.254/latest/meta-data', 'cloud metadata', '169.254.169.254'],
      ['http://2130706433/', 'loopback', '127.0.0.1'],
      ['http://0xa9fea9fe/', 'cloud metadata', '169.254.169.254'],
      ['http://[::127.0.0.1]/', 'loopback', '::7f00:1'],
      ['http://[::ffff:a9fe:a9fe]/', 'cloud metadata', '::ffff:a9fe:a9fe'],
      ['http://[64:ff9b::a9fe:a9fe]/', 'cloud metadata', '64:ff9b::a9fe:a9fe'],
      ['http://[2002:a9fe:a9fe::]/', 'cloud metadata', '2002:a9fe:a9fe::'],
      ['http://[2001::a9fe:a9fe]/', 'unspecified', '2001::a9fe:a9fe'],
    ])(
      'refuses %s before connecting, naming the class (%s) and not the address',
      async (url, label, address) => {
        const result = await refuse(url);
        expect(result.kind === 'error' && result.message).toMatch(
          new RegExp(`^the URL's host is an? ${label} address$`),
        );
        expect(result.kind === 'error' && result.message).not.toContain(address);
        // The operator's report keeps the address.
        expect(refusals).toContainEqual({ host: address, address, addressClass: label });
      },
    );

    it('refuses a loopback literal, an IPv4-mapped IPv6 literal and a host name resolving to loopback', async () => {
      const direct = await refuse(`http://127.0.0.1:${port}/`);
      expect(direct.kind === 'error' && direct.message).toBe("the URL's host is a loopback address");
      const mapped = await refuse(`http://[::ffff:127.0.0.1]:${port}/`);
      expect(mapped.kind === 'error' && mapped.message).toBe("the URL's host is a loopback address");
      const named = await refuse(`http://localhost:${port}/`);
      expect(named.kind === 'error' && named.message).toBe('localhost resolves to a loopback address');
      expect(refusals).toContainEqual(
        expect.objectContaining({ host: 'localhost', address: '127.0.0.1', addressClass: 'loopback' }),
      );
      expect(hits).toBe(0);
    });
  });
});
