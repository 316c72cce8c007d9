// HTTP/1.1 over a plain TCP socket: the request is written byte for byte as generated (invalid
// bytes in the request line and headers included, which no HTTP client library sends), and the
// answer is read with just enough parsing to tell where it ends.
import { connect } from 'node:net';

/**
 * Serialises a request. `path` and header values may be strings (written as latin1, one byte per
 * character) or Buffers; `body` is a Buffer. Content-Length is added for a body unless `framing`
 * says otherwise; `Connection: close` is added unless the headers set Connection.
 */
export function serialiseRequest({
  method,
  path,
  version = 'HTTP/1.1',
  headers = [],
  body,
  framing = 'length',
}) {
  const lines = [];
  const bytes = (value) => (Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'latin1'));
  lines.push(Buffer.concat([bytes(method), Buffer.from(' '), bytes(path), Buffer.from(` ${version}\r\n`)]));
  const has = (name) => headers.some(([key]) => String(key).toLowerCase() === name);
  const all = [...headers];
  if (!has('connection')) all.push(['Connection', 'close']);
  let payload = body ?? Buffer.alloc(0);
  if (framing === 'length' && body !== undefined && !has('content-length')) {
    all.push(['Content-Length', String(payload.length)]);
  } else if (framing === 'chunked') {
    all.push(['Transfer-Encoding', 'chunked']);
    payload = chunked(payload);
  }
  for (const [name, value] of all)
    lines.push(Buffer.concat([bytes(name), Buffer.from(': '), bytes(value), Buffer.from('\r\n')]));
  lines.push(Buffer.from('\r\n'));
  return Buffer.concat([...lines, payload]);
}

function chunked(payload) {
  const parts = [];
  for (let offset = 0; offset < payload.length; offset += 4096) {
    const piece = payload.subarray(offset, offset + 4096);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/**
 * Parses what arrived so far. Returns `{ complete: true, status, headers, body }` once a whole final
 * answer is there (interim 1xx answers are skipped), `{ complete: false }` while more is needed,
 * `{ malformed: reason }` for bytes that are not an HTTP answer. `closed`: the connection ended, so
 * an answer delimited by the close is complete.
 */
export function parseResponse(buffer, { closed = false, head = false } = {}) {
  let offset = 0;
  for (;;) {
    const end = buffer.indexOf('\r\n\r\n', offset);
    if (end === -1)
      return closed && buffer.length > offset
        ? { malformed: 'the answer ended inside its head' }
        : { complete: false };
    const headText = buffer.subarray(offset, end).toString('latin1');
    const [statusLine, ...headerLines] = headText.split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
    if (!match) return { malformed: `not a status line: ${JSON.stringify(statusLine.slice(0, 80))}` };
    const status = Number(match[1]);
    const headers = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon <= 0) return { malformed: `not a header line: ${JSON.stringify(line.slice(0, 80))}` };
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const bodyStart = end + 4;
    if (status >= 100 && status < 200) {
      offset = bodyStart;
      continue;
    }
    if (head || status === 204 || status === 304)
      return { complete: true, status, headers, body: Buffer.alloc(0) };
    if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
      const body = dechunk(buffer, bodyStart);
      if (body.malformed) return body;
      if (!body.complete)
        return closed ? { malformed: 'the chunked answer ended early' } : { complete: false };
      return { complete: true, status, headers, body: body.body };
    }
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (!Number.isSafeInteger(length) || length < 0)
        return { malformed: `Content-Length ${headers['content-length']}` };
      if (buffer.length - bodyStart < length)
        return closed ? { malformed: 'the answer ended before its Content-Length' } : { complete: false };
      return { complete: true, status, headers, body: buffer.subarray(bodyStart, bodyStart + length) };
    }
    return closed
      ? { complete: true, status, headers, body: buffer.subarray(bodyStart) }
      : { complete: false };
  }
}

function dechunk(buffer, start) {
  const parts = [];
  let offset = start;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', offset);
    if (lineEnd === -1) return { complete: false };
    const size = parseInt(buffer.subarray(offset, lineEnd).toString('latin1').split(';')[0], 16);
    if (!Number.isInteger(size) || size < 0) return { malformed: 'bad chunk size in the answer' };
    if (size === 0)
      return buffer.indexOf('\r\n', lineEnd + 2) === -1
        ? { complete: false }
        : { complete: true, body: Buffer.concat(parts) };
    if (buffer.length < lineEnd + 2 + size + 2) return { complete: false };
    parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

/**
 * Writes `bytes` to `host:port` and reads the answer. Resolves (never rejects) with
 * `{ kind: 'answered', status, headers, body, ms }`, `{ kind: 'timeout', ms, received }` when no
 * whole answer arrived within `deadlineMs`, `{ kind: 'no-answer', reason, ms }` when the server
 * closed or reset the connection without one, or `{ kind: 'malformed-answer', reason, ms }`.
 */
export function exchange({ host = '127.0.0.1', port, bytes, deadlineMs, head = false }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    let received = 0;
    let settled = false;
    const socket = connect({ host, port });
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...result, ms: Date.now() - started });
    };
    const judge = (closed) => {
      const parsed = parseResponse(Buffer.concat(chunks), { closed, head });
      if (parsed.malformed) return finish({ kind: 'malformed-answer', reason: parsed.malformed });
      if (parsed.complete)
        return finish({
          kind: 'answered',
          status: parsed.status,
          headers: parsed.headers,
          body: parsed.body,
        });
      if (closed)
        finish({ kind: 'no-answer', reason: received === 0 ? 'closed without a byte' : 'closed mid-answer' });
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', received }), deadlineMs);
    socket.on('connect', () => {
      socket.write(bytes, () => undefined);
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      judge(false);
    });
    socket.on('end', () => judge(true));
    socket.on('error', (error) => {
      // A server that answers early and closes may reset a request still being written: what
      // arrived before the reset counts.
      if (received > 0) return judge(true);
      finish({ kind: 'no-answer', reason: error.code ?? error.message });
    });
    socket.on('close', () => judge(true));
  });
}
