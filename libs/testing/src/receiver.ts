import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got, with the exact body bytes. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Epoch milliseconds of arrival. */
  readonly at: number;
}

/** How a receiver answers one request. */
export interface ReceiverAnswer {
  readonly status?: number;
  readonly delayMs?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A webhook endpoint on loopback that records what it receives. */
export interface TestReceiver {
  /** `http://127.0.0.1:<port>/hook` */
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Changes how the next requests are answered. */
  answerWith(answer: (request: ReceivedRequest) => ReceiverAnswer): void;
  /** Resolves once `count` requests (matching `filter`) arrived; rejects after `timeoutMs`. */
  waitFor(
    count: number,
    timeoutMs: number,
    filter?: (request: ReceivedRequest) => boolean,
  ): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1; it answers 200 `OK` unless told otherwise. */
export async function startReceiver(
  answer: (request: ReceivedRequest) => ReceiverAnswer = () => ({}),
): Promise<TestReceiver> {
  let respond = answer;
  const requests: ReceivedRequest[] = [];
  const listeners = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      const reply = respond(request);
      const send = () => {
        requests.push(request);
        for (const listener of listeners) listener();
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', ...(reply.headers ?? {}) });
        res.end(reply.body ?? 'OK');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    answerWith(next) {
      respond = next;
    },
    waitFor(count, timeoutMs, filter = () => true) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = requests.filter(filter);
          if (matching.length >= count) {
            cleanup();
            resolve(matching);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `expected ${count} requests within ${timeoutMs} ms, got ${requests.filter(filter).length}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
