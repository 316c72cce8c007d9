import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deadBrokerAddress, type IngestUnderTest, startIngest } from './support/ingest.harness';

/** An HTTP server on loopback in the place of the subscription API: it records what reaches it. */
async function startUpstream(): Promise<{ url: string; seen: IncomingMessage[]; close(): Promise<void> }> {
  const seen: IncomingMessage[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(request);
    if (!request.headers.authorization) {
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      response.end(JSON.stringify({ error: { type: 'authentication_failed', message: 'no key' } }));
      return;
    }
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      link: '</v1/events?starting_after=evt_2>; rel="next"',
      'set-cookie': 'not=forwarded',
    });
    response.end(JSON.stringify({ data: [{ id: 'evt_1' }, { id: 'evt_2' }], has_more: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('GET /v1/events on ingest (real Postgres and Kafka)', () => {
  describe('without INGEST_EVENT_LOG_UPSTREAM', () => {
    let ingest: IngestUnderTest;
    beforeAll(async () => {
      ingest = await startIngest();
    });
    afterAll(() => ingest?.close());

    it('answers 405 with Allow: POST, saying where the event log is', async () => {
      const response = await fetch(`${ingest.service.url}/v1/events`);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      const body = (await response.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe('method_not_allowed');
      expect(body.error.message).toContain('subscription API');
    });
  });

  describe('with INGEST_EVENT_LOG_UPSTREAM', () => {
    let ingest: IngestUnderTest;
    let upstream: Awaited<ReturnType<typeof startUpstream>>;
    beforeAll(async () => {
      upstream = await startUpstream();
      ingest = await startIngest({ env: { INGEST_EVENT_LOG_UPSTREAM: upstream.url } });
    });
    afterAll(async () => {
      await ingest?.close();
      await upstream?.close();
    });

    it('forwards path, query and credentials, and streams the answer back', async () => {
      const response = await fetch(`${ingest.service.url}/v1/events?limit=2&type=user.created`, {
        headers: { authorization: 'Bearer hl_sk_example', 'x-forwarded-for': '198.51.100.7', cookie: 'a=b' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('link')).toBe('</v1/events?starting_after=evt_2>; rel="next"');
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(await response.json()).toEqual({ data: [{ id: 'evt_1' }, { id: 'evt_2' }], has_more: true });

      const seen = upstream.seen.at(-1)!;
      expect(seen.method).toBe('GET');
      expect(seen.url).toBe('/v1/events?limit=2&type=user.created');
      expect(seen.headers.authorization).toBe('Bearer hl_sk_example');
      expect(seen.headers.cookie).toBeUndefined();
      // The chain it came with, and the peer that sent it to ingest.
      expect(seen.headers['x-forwarded-for']).toMatch(/^198\.51\.100\.7, (::ffff:)?127\.0\.0\.1$/);
    });

    it("passes the upstream's refusal on as it is", async () => {
      const response = await fetch(`${ingest.service.url}/v1/events`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await response.json()) as { error: { type: string } }).error.type).toBe(
        'authentication_failed',
      );
    });

    it('still takes POST /v1/events itself', async () => {
      const before = upstream.seen.length;
      const answer = await ingest.post({ type: 'user.created', data: { id: 'usr_forwarding' } });
      expect(answer.status).not.toBe(405);
      expect(upstream.seen).toHaveLength(before);
    });
  });

  describe('with an upstream that does not answer', () => {
    let ingest: IngestUnderTest;
    beforeAll(async () => {
      ingest = await startIngest({
        env: { INGEST_EVENT_LOG_UPSTREAM: `http://${await deadBrokerAddress()}` },
      });
    });
    afterAll(() => ingest?.close());

    it('answers 502 in the API error shape', async () => {
      const response = await fetch(`${ingest.service.url}/v1/events`, {
        headers: { authorization: 'Bearer hl_sk_example' },
      });
      expect(response.status).toBe(502);
      expect(((await response.json()) as { error: { type: string } }).error.type).toBe('bad_gateway');
    });
  });
});
