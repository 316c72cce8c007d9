import {
  STATUS_CODES,
  maxHeaderSize,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Builds the JSON body of an error answer in the service's own error shape, e.g.
 * `{ error: { type, message } }`, from its status and a message naming the problem.
 */
export type ErrorBodyWriter = (status: number, message: string) => unknown;

/** An error answer decided before any route runs. */
export interface ProtocolProblem {
  readonly status: number;
  readonly message: string;
}

/** What Node's HTTP parser attaches to the errors it raises (`clientError`). */
export interface ClientError extends Error {
  readonly code?: string;
  /** llhttp's own words, e.g. `Invalid header value char`. */
  readonly reason?: string;
  /** The chunk being parsed when the parser failed. */
  readonly rawPacket?: Buffer;
  /** Where in `rawPacket` the parser stopped. */
  readonly bytesParsed?: number;
}

/** The default `ErrorBodyWriter`: `{ error: { type, message } }` with a type derived from the status. */
export function defaultErrorBody(status: number, message: string): unknown {
  const type = status === 413 ? 'payload_too_large' : status >= 500 ? 'internal_error' : 'invalid_request';
  return { error: { type, message } };
}

const NOT_HTTP = 'the request is not valid HTTP/1.1';

// llhttp error codes (Node's `HPE_*`), in the caller's terms. Anything not listed is answered with
// llhttp's own reason, which is specific enough to act on.
const PARSER_PROBLEMS: Readonly<Record<string, string>> = {
  HPE_INVALID_METHOD: 'the request method is not an HTTP method',
  HPE_INVALID_URL:
    'the request target (path and query) holds a character that must be percent-encoded, such as a space or a control character',
  HPE_INVALID_VERSION: 'the request line must be "METHOD /path HTTP/1.1"; encode spaces in the path as %20',
  HPE_INVALID_CONSTANT: 'the request line must be "METHOD /path HTTP/1.1"; encode spaces in the path as %20',
  HPE_UNEXPECTED_SPACE: 'the request line or a header holds a space where none is allowed',
  HPE_INVALID_HEADER_TOKEN:
    'a request header is malformed: its name holds a character not allowed in header names, or its value a control character (NUL, CR, LF)',
  HPE_CR_EXPECTED: 'a line of the request head does not end with CRLF',
  HPE_LF_EXPECTED: 'a line of the request head does not end with CRLF',
  HPE_INVALID_CONTENT_LENGTH: 'the Content-Length header must be one non-negative integer',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'a request may not carry both Content-Length and Transfer-Encoding',
  HPE_INVALID_TRANSFER_ENCODING: 'the Transfer-Encoding header must end with "chunked"',
  HPE_INVALID_CHUNK_SIZE: 'a chunk of the chunked request body has an invalid size line',
  HPE_INVALID_EOF_STATE: 'the connection ended in the middle of a request',
};

/**
 * The answer to a request Node's HTTP parser refused (the server's `clientError` event), or
 * `undefined` when the connection is already gone and there is no one to answer.
 */
export function describeClientError(
  error: ClientError,
  maxHeaderBytes = maxHeaderSize,
): ProtocolProblem | undefined {
  switch (error.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'HPE_HEADER_OVERFLOW':
      // The limit covers the request line and the headers together; a request line that has not
      // ended within it is a request target that is too long.
      return requestLineEnded(error.rawPacket)
        ? {
            status: 431,
            message: `the request headers are larger than the ${maxHeaderBytes} bytes accepted (request line and headers together)`,
          }
        : {
            status: 414,
            message: `the request target (path and query) is longer than the ${maxHeaderBytes} bytes accepted`,
          };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, message: 'the chunk extensions of the request body are larger than accepted' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'the request was not received completely in time' };
  }
  const known = error.code === undefined ? undefined : PARSER_PROBLEMS[error.code];
  const reason = error.reason ? ` (${error.reason.replace(/[^\x20-\x7e]/g, '?')})` : '';
  return {
    status: 400,
    message: `${NOT_HTTP}: ${known ?? 'it could not be parsed'}${reason}${whereParsingStopped(error)}`,
  };
}

/**
 * The part of the request the parser stopped in, when the chunk it was parsing tells: the request
 * line, or a header by its name (cut and with unprintable characters shown as `?`).
 */
function whereParsingStopped({ rawPacket, bytesParsed }: ClientError): string {
  if (!rawPacket || bytesParsed === undefined || bytesParsed <= 0 || bytesParsed > rawPacket.length)
    return '';
  const lineStart = rawPacket.lastIndexOf(0x0a, bytesParsed - 1) + 1;
  if (lineStart === 0) return startsRequest(rawPacket) ? ', in the request line' : '';
  const line = rawPacket.subarray(lineStart, bytesParsed).toString('latin1');
  const colon = line.indexOf(':');
  const name = (colon === -1 ? line : line.slice(0, colon)).replace(/[^\x21-\x7e]/g, '?').slice(0, 60);
  if (name === '' || name === '?') return '';
  return colon === -1 ? `, in the header name "${name}"` : `, in the value of header "${name}"`;
}

function startsRequest(rawPacket: Buffer): boolean {
  return /^[A-Za-z-]+ /.test(rawPacket.subarray(0, 32).toString('latin1'));
}

/**
 * Makes the answers Node's HTTP server gives on its own, before any route runs, carry the service's
 * JSON error body instead of an empty one: requests its parser refuses (malformed request line or
 * headers, headers or request target too large, request timeout), HTTP/1.1 requests without a Host
 * header, unsupported `Expect` values and `CONNECT`. Call it once the application listens for
 * requests on `server` and before the server listens.
 */
export function answerProtocolErrorsAsJson(
  server: Server,
  errorBody: ErrorBodyWriter = defaultErrorBody,
): void {
  // Both are set on every server Node creates, though its type declarations name neither.
  const settings = server as Server & { maxHeaderSize?: number; requireHostHeader?: boolean };
  const maxHeaderBytes = settings.maxHeaderSize ?? maxHeaderSize;
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (error: ClientError, socket: Duplex) => {
    // The parser reports every later chunk of a refused request again; it is answered once.
    if (answered.has(socket)) return;
    answered.add(socket);
    const problem = describeClientError(error, maxHeaderBytes);
    // Node's own rule: answer only when no answer on this connection has started yet.
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (!problem || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    writeRawAnswer(socket, problem, errorBody);
  });
  // Node answers 417 with an empty body itself unless someone listens.
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    writeAnswer(
      response,
      { status: 417, message: 'the Expect header may only be "100-continue"' },
      errorBody,
    );
  });
  // Without a listener Node drops a CONNECT without a word.
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    writeRawAnswer(
      socket,
      { status: 405, message: 'CONNECT is not supported: this is not a proxy' },
      errorBody,
    );
  });
  // Node answers a missing Host with an empty 400 itself; the check is made here instead, with a
  // body, in front of the application's own request listeners.
  settings.requireHostHeader = false;
  const application = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.httpVersion === '1.1' && request.headers.host === undefined) {
      writeAnswer(
        response,
        { status: 400, message: 'an HTTP/1.1 request must carry a Host header' },
        errorBody,
      );
      return;
    }
    for (const listener of application) listener.call(server, request, response);
  });
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

function requestLineEnded(rawPacket: Buffer | undefined): boolean {
  // Only a chunk that starts a request tells; a later chunk of a trickled request does not.
  if (!rawPacket || !startsRequest(rawPacket)) return true;
  return rawPacket.includes(0x0a);
}

function jsonOf(problem: ProtocolProblem, errorBody: ErrorBodyWriter): string {
  return JSON.stringify(errorBody(problem.status, problem.message));
}

function writeAnswer(response: ServerResponse, problem: ProtocolProblem, errorBody: ErrorBodyWriter): void {
  const body = jsonOf(problem, errorBody);
  response.writeHead(problem.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  response.end(body);
}

/** How long a refused connection is kept open for the client to read the answer and close. */
export const REFUSED_LINGER_MS = 5_000;

// There is no response object on these paths: the answer goes onto the socket as bytes. Closing at
// once while the rest of the request is still arriving would make the kernel reset the connection,
// and a reset can discard the answer before the client reads it; so the answer ends the sending
// side, what still arrives is read and dropped, and the socket goes when the client closes (or
// after REFUSED_LINGER_MS).
function writeRawAnswer(socket: Duplex, problem: ProtocolProblem, errorBody: ErrorBodyWriter): void {
  const body = jsonOf(problem, errorBody);
  const head =
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n';
  const linger = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
  socket.on('error', () => socket.destroy());
  socket.end(head + body);
  socket.resume();
}
