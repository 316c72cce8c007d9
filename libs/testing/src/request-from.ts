import { type IncomingHttpHeaders, type OutgoingHttpHeaders, request } from 'node:http';

/** An HTTP answer with its JSON body parsed. */
export interface JsonAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** What `requestFrom` sends: a method, headers and an optional body. */
export interface RequestFromOptions {
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body?: string;
}

/** Sends one request from `localAddress` (a loopback address standing for a client of its own); parses the JSON answer. */
export function requestFrom(
  url: URL,
  localAddress: string,
  options: RequestFromOptions,
): Promise<JsonAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: options.method, localAddress, headers: options.headers },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}
