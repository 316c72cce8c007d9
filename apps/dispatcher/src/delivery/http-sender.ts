import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { type AddressClass, type AddressPolicy, describeAddressClass } from '@hookline/egress';
import { Agent, buildConnector } from 'undici';

/** One HTTP POST of an already-serialised, already-signed body. */
export interface SendRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes that were signed. */
  readonly body: Buffer;
  readonly timeoutMs: number;
}

/** Failure classes that are recorded and drive retry decisions. */
export type SendErrorClass =
  | 'timeout'
  | 'connection-refused'
  | 'connection-reset'
  | 'dns'
  | 'tls'
  | 'blocked-address'
  | 'http-not-allowed'
  | 'invalid-url'
  | 'network';

/** What came back from one attempt: an HTTP answer (any status) or no answer at all. */
export type SendResult =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      /** The first bytes of the body as text, capped at `responseExcerptBytes`. */
      readonly bodyExcerpt: string;
      readonly durationMs: number;
    }
  | {
      readonly kind: 'error';
      readonly errorClass: SendErrorClass;
      readonly message: string;
      readonly durationMs: number;
    };

/** Sends one delivery attempt. */
export interface Sender {
  send(request: SendRequest): Promise<SendResult>;
}

/** A connection the address policy refused: for the operator's log, never for the tenant. */
export interface AddressRefusal {
  /** The URL's host (an IPv6 literal without brackets). */
  readonly host: string;
  /** The address refused (resolved, literal or connected to). */
  readonly address: string;
  readonly addressClass: AddressClass;
}

/** Settings of the HTTP sender. */
export interface HttpSenderOptions {
  /** Addresses the dispatcher may not connect to, minus the operator's allow-list. */
  readonly guard: AddressPolicy;
  /** Told of every refused address; the attempt's own message names only the class. */
  readonly onRefused?: (refusal: AddressRefusal) => void;
  /** Whether `http://` targets are allowed (otherwise only `https://`). */
  readonly allowHttp: boolean;
  /** Connections kept per origin (keep-alive pool size). */
  readonly connectionsPerOrigin: number;
  /** How long an idle keep-alive connection is kept. */
  readonly keepAliveMs: number;
  /** How much of each response body is kept for the delivery log. */
  readonly responseExcerptBytes: number;
  /** Whether TLS certificates must be valid (always true in production). */
  readonly rejectUnauthorized?: boolean;
}

// Its message is what the delivery log shows the tenant, so it names the class, not the address.
class BlockedAddressError extends Error {
  readonly code = 'EHOOKLINE_BLOCKED_ADDRESS';
}

/**
 * Sends with undici through keep-alive pools. Redirects are never followed (a 3xx is an answer),
 * each attempt has one deadline covering connect, headers and body, and every connection is
 * checked against the address policy after DNS and again once connected.
 */
export class HttpSender implements Sender {
  private readonly agent: Agent;

  constructor(private readonly options: HttpSenderOptions) {
    const guard = options.guard;
    // Judges one address; a refusal is reported to the operator with the address, and becomes an
    // error whose message (`describe` of the class) is all the tenant sees.
    const refusal = (
      host: string,
      address: string,
      describe: (what: string) => string,
    ): BlockedAddressError | undefined => {
      const verdict = guard.check(address);
      if (verdict.allowed) return undefined;
      options.onRefused?.({ host, address, addressClass: verdict.addressClass });
      return new BlockedAddressError(describe(describeAddressClass(verdict.addressClass)));
    };
    const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
      dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const refusals = addresses.map((entry) => ({
          entry,
          refused: refusal(hostname, entry.address, (what) => `${hostname} resolves to ${what}`),
        }));
        const usable = refusals.filter((r) => !r.refused).map((r) => r.entry);
        if (usable.length === 0) {
          const refused =
            refusals.find((r) => r.refused)?.refused ??
            new BlockedAddressError(`${hostname} resolves to no address`);
          return callback(refused, '', 0);
        }
        if (lookupOptions.all)
          return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        callback(null, usable[0].address, usable[0].family);
      });
    };
    const connector = buildConnector({
      lookup,
      allowH2: false,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    } as buildConnector.BuildOptions);
    this.agent = new Agent({
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: options.keepAliveMs,
      keepAliveMaxTimeout: options.keepAliveMs,
      pipelining: 1,
      connect: (connectOptions, callback) => {
        // An IP literal skips DNS, so it is judged here; every socket is judged again once connected.
        const host = connectOptions.hostname;
        const literal = host.replace(/^\[|\]$/g, '');
        if (isIP(literal) !== 0) {
          const refused = refusal(host, literal, (what) => `the URL's host is ${what}`);
          if (refused) return callback(refused, null);
        }
        connector(connectOptions, (error, socket) => {
          if (error || !socket) return callback(error ?? new Error('no socket'), null);
          const remote = (socket as Socket).remoteAddress ?? '';
          const refused = refusal(host, remote, (what) => `the connection reached ${what}`);
          if (refused) {
            socket.destroy();
            return callback(refused, null);
          }
          callback(null, socket);
        });
      },
    });
  }

  /** Sends one attempt and never throws: every failure becomes an `error` result. */
  async send(request: SendRequest): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return {
        kind: 'error',
        errorClass: 'invalid-url',
        message: 'the endpoint URL is not valid',
        durationMs: 0,
      };
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.options.allowHttp)) {
      return {
        kind: 'error',
        errorClass: 'http-not-allowed',
        message: `${url.protocol}// targets are not allowed by this deployment`,
        durationMs: 0,
      };
    }
    const signal = AbortSignal.timeout(request.timeoutMs);
    try {
      const response = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      });
      const bodyExcerpt = await readExcerpt(response.body, this.options.responseExcerptBytes);
      return {
        kind: 'response',
        status: response.statusCode,
        headers: flattenHeaders(response.headers),
        bodyExcerpt,
        durationMs: elapsed(),
      };
    } catch (error) {
      return { kind: 'error', ...classifyError(error, signal.aborted), durationMs: elapsed() };
    }
  }

  /** Closes idle connections and waits for in-flight requests. */
  async close(): Promise<void> {
    await this.agent.close();
  }
}

async function readExcerpt(
  body: AsyncIterable<Buffer> & { destroy(): void },
  limit: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (kept < limit) {
      const part = chunk.subarray(0, limit - kept);
      chunks.push(part);
      kept += part.length;
    }
    // Draining a small remainder keeps the connection reusable; a large one is not worth reading.
    if (seen > limit * 4) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function classifyError(error: unknown, aborted: boolean): { errorClass: SendErrorClass; message: string } {
  const chain: Array<{ code?: string; message?: string; name?: string }> = [];
  for (
    let current: unknown = error;
    current && chain.length < 5;
    current = (current as { cause?: unknown }).cause
  ) {
    chain.push(current as { code?: string; message?: string; name?: string });
    if (current instanceof AggregateError) chain.push(...(current.errors as Array<{ code?: string }>));
  }
  const codes = new Set(chain.map((e) => e.code).filter((c): c is string => typeof c === 'string'));
  const blocked = chain.find((e) => e.code === 'EHOOKLINE_BLOCKED_ADDRESS');
  if (blocked) return { errorClass: 'blocked-address', message: blocked.message ?? 'refused address' };
  if (
    aborted ||
    codes.has('UND_ERR_HEADERS_TIMEOUT') ||
    codes.has('UND_ERR_BODY_TIMEOUT') ||
    codes.has('UND_ERR_CONNECT_TIMEOUT')
  ) {
    return { errorClass: 'timeout', message: 'the endpoint did not answer in time' };
  }
  if (codes.has('ECONNREFUSED')) return { errorClass: 'connection-refused', message: 'connection refused' };
  if (codes.has('ECONNRESET') || codes.has('UND_ERR_SOCKET') || codes.has('EPIPE')) {
    return { errorClass: 'connection-reset', message: 'connection reset' };
  }
  if (codes.has('ENOTFOUND') || codes.has('EAI_AGAIN') || codes.has('EAI_NONAME')) {
    return { errorClass: 'dns', message: 'the host name did not resolve' };
  }
  const tls = [...codes].find(
    (c) => c.startsWith('ERR_TLS') || c.includes('CERT') || c.startsWith('ERR_SSL'),
  );
  if (tls) return { errorClass: 'tls', message: `TLS failure (${tls})` };
  // Socket errors name the peer (`connect EHOSTUNREACH 10.1.2.3:443`), an address the tenant is not
  // to learn: the code says what happened.
  const code = chain.find((e) => typeof e.code === 'string')?.code;
  return { errorClass: 'network', message: code ? `network error (${code})` : 'network error' };
}
