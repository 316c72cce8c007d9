import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

interface FrontDoor {
  url: string;
  port: number;
  stop(): Promise<void>;
}
interface FrontDoorModule {
  route(method: string, url: string): 'ingest' | 'subscription' | undefined;
  startFrontDoor(options: {
    port: number;
    host?: string;
    targets: Record<'ingest' | 'subscription', string>;
    log?: (line: string) => void;
  }): Promise<FrontDoor>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the tooling is plain CommonJS
const { route, startFrontDoor } = require(join(__dirname, '..', 'front-door.cjs')) as FrontDoorModule;

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: IncomingMessage['headers'];
}

/** An HTTP server answering as `name`, recording what reached it. */
async function backend(name: string): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, body, headers: request.headers });
      response.writeHead(name === 'ingest' ? 202 : 200, {
        'content-type': 'application/json',
        'x-served-by': name,
      });
      response.end(JSON.stringify({ servedBy: name }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('route', () => {
  it('sends event intake to ingest and the rest of the API to subscription, as the HTTPRoute does', () => {
    expect({
      intake: route('POST', '/v1/events'),
      eventLog: route('GET', '/v1/events?type=user.created'),
      oneEvent: route('GET', '/v1/events/evt_1'),
      webhooks: route('POST', '/v1/webhooks'),
      admin: route('POST', '/v1/admin/tenants'),
      docs: route('GET', '/docs'),
      docsJson: route('GET', '/docs/json'),
      portal: route('GET', '/portal/'),
      expunge: route('POST', '/v1/events/evt_1/expunge'),
      metrics: route('GET', '/metrics'),
      health: route('GET', '/healthz'),
      lookalike: route('GET', '/v1x'),
    }).toEqual({
      intake: 'ingest',
      eventLog: 'subscription',
      oneEvent: 'subscription',
      webhooks: 'subscription',
      admin: 'subscription',
      docs: 'subscription',
      docsJson: 'subscription',
      portal: 'subscription',
      expunge: 'subscription',
      metrics: undefined,
      health: undefined,
      lookalike: undefined,
    });
  });
});

describe('the front door', () => {
  let ingest: Awaited<ReturnType<typeof backend>>;
  let subscription: Awaited<ReturnType<typeof backend>>;
  let door: FrontDoor;

  beforeAll(async () => {
    ingest = await backend('ingest');
    subscription = await backend('subscription');
    door = await startFrontDoor({ port: 0, targets: { ingest: ingest.url, subscription: subscription.url } });
  });
  afterAll(async () => {
    await door?.stop();
    await Promise.all([close(ingest.server), close(subscription.server)]);
  });

  it('passes a request to its service and the answer back, body and headers included', async () => {
    const intake = await fetch(`${door.url}/v1/events`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer key_1',
        'content-type': 'application/json',
        'idempotency-key': 'k-1',
      },
      body: '{"type":"user.created","data":{"id":"user_1"}}',
    });
    expect([intake.status, intake.headers.get('x-served-by'), await intake.json()]).toEqual([
      202,
      'ingest',
      { servedBy: 'ingest' },
    ]);
    expect(ingest.seen.at(-1)).toMatchObject({
      method: 'POST',
      url: '/v1/events',
      body: '{"type":"user.created","data":{"id":"user_1"}}',
      headers: { authorization: 'Bearer key_1', 'idempotency-key': 'k-1', 'x-forwarded-proto': 'http' },
    });

    const log = await fetch(`${door.url}/v1/events?limit=5`);
    expect([log.status, log.headers.get('x-served-by')]).toEqual([200, 'subscription']);
    expect(subscription.seen.at(-1)).toMatchObject({ method: 'GET', url: '/v1/events?limit=5' });
  });

  it('answers 404 for what it does not route, and 502 while a service is down', async () => {
    expect((await fetch(`${door.url}/metrics`)).status).toBe(404);

    const down = await backend('subscription');
    await close(down.server);
    const lonely = await startFrontDoor({ port: 0, targets: { ingest: ingest.url, subscription: down.url } });
    try {
      const answer = await fetch(`${lonely.url}/v1/webhooks`);
      expect([answer.status, await answer.json()]).toEqual([
        502,
        { error: 'bad_gateway', message: 'subscription is not answering' },
      ]);
    } finally {
      await lonely.stop();
    }
  });

  it('takes a free port, saying so, when its own is taken', async () => {
    const lines: string[] = [];
    const second = await startFrontDoor({
      port: door.port,
      targets: { ingest: ingest.url, subscription: subscription.url },
      log: (line) => lines.push(line),
    });
    try {
      expect(second.port).not.toBe(door.port);
      expect(lines).toEqual([`port ${door.port} is taken; the front door listens on ${second.port} instead`]);
      expect((await fetch(`${second.url}/docs`)).status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
