// The suite's own checks, run with `node --test fuzz/test` (the end-to-end suite runs them): a fuzzer
// whose judge let an empty 400 or a 500 pass, or whose seed did not pin its requests, would prove
// nothing.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { generateCase } from '../lib/cases.mjs';
import { judge, unnamedHttpRefusal } from '../lib/checks.mjs';
import { Entries, jsonText, Raw } from '../lib/json-text.mjs';
import { exchange, parseResponse, serialiseRequest } from '../lib/raw-http.mjs';

const json = { 'content-type': 'application/json; charset=utf-8' };
const body = (value) => Buffer.from(JSON.stringify(value));

describe('what counts as a refusal that names its problem', () => {
  it('accepts a JSON error with a type and a specific message', () => {
    assert.equal(
      unnamedHttpRefusal(
        400,
        json,
        body({ error: { type: 'invalid_request', message: 'body is not valid JSON: Unexpected end' } }),
      ),
      undefined,
    );
    assert.equal(
      unnamedHttpRefusal(
        422,
        json,
        body({
          error: {
            type: 'validation_error',
            message: 'Invalid request: url is required',
            fields: [{ field: 'url', message: 'is required' }],
          },
        }),
      ),
      undefined,
    );
  });

  it('refuses empty bodies, other media types, bare reason phrases and 422s without fields', () => {
    assert.match(unnamedHttpRefusal(400, {}, Buffer.alloc(0)), /Content-Type/);
    assert.match(
      unnamedHttpRefusal(400, { 'content-type': 'text/html' }, Buffer.from('<h1>Bad Request</h1>')),
      /not JSON/,
    );
    assert.match(unnamedHttpRefusal(400, json, body({ message: 'x' })), /no "error" object/);
    assert.match(
      unnamedHttpRefusal(400, json, body({ error: { type: 'invalid_request', message: 'Bad Request' } })),
      /generic|too short/,
    );
    assert.match(
      unnamedHttpRefusal(
        431,
        json,
        body({ error: { type: 'invalid_request', message: 'Request Header Fields Too Large' } }),
      ),
      /generic/,
    );
    assert.match(
      unnamedHttpRefusal(
        400,
        json,
        body({ error: { type: 'Bad Request', message: 'the body is not JSON' } }),
      ),
      /snake_case/,
    );
    assert.match(
      unnamedHttpRefusal(
        422,
        json,
        body({ error: { type: 'validation_error', message: 'the event is invalid' } }),
      ),
      /without error.fields/,
    );
  });

  it('fails server errors, hangs, silent closes and gRPC faults', () => {
    const answered = (status) => ({
      kind: 'answered',
      status,
      headers: json,
      body: body({ error: { type: 'internal_error', message: 'Internal error' } }),
    });
    assert.equal(judge('http', answered(500)).category, '5xx');
    assert.equal(judge('http', answered(503)).category, '5xx');
    assert.equal(judge('http', { kind: 'timeout', received: 0 }).category, 'hang');
    assert.equal(judge('http', { kind: 'no-answer', reason: 'ECONNRESET' }).category, 'no-answer');
    assert.equal(
      judge('grpc', { kind: 'answered', name: 'INTERNAL', details: 'Error deserializing request' }).category,
      '5xx',
    );
    assert.equal(judge('grpc', { kind: 'answered', name: 'UNKNOWN', details: 'x' }).category, '5xx');
    assert.equal(
      judge('grpc', { kind: 'answered', name: 'DEADLINE_EXCEEDED', details: 'Deadline exceeded' }).category,
      'hang',
    );
    assert.equal(
      judge('grpc', { kind: 'answered', name: 'INVALID_ARGUMENT', details: '' }).category,
      'unnamed-4xx',
    );
    assert.deepEqual(
      judge('grpc', {
        kind: 'answered',
        name: 'INVALID_ARGUMENT',
        details: 'Invalid request: url is required',
      }),
      { ok: true, outcome: 'INVALID_ARGUMENT' },
    );
    assert.deepEqual(judge('http', { kind: 'answered', status: 202, headers: json, body: body({}) }), {
      ok: true,
      outcome: '2xx',
    });
  });
});

describe('raw HTTP', () => {
  it('tells where an answer ends: Content-Length, chunked, interim 100, close', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n';
    assert.deepEqual(parseResponse(Buffer.from(`${head}ab`)), { complete: false });
    assert.equal(parseResponse(Buffer.from(`${head}abcd`)).body.toString(), 'abcd');
    const chunked =
      'HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n';
    assert.equal(parseResponse(Buffer.from(chunked)).body.toString(), 'abc');
    const interim = `HTTP/1.1 100 Continue\r\n\r\n${head}abcd`;
    assert.equal(parseResponse(Buffer.from(interim)).status, 200);
    assert.equal(
      parseResponse(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\nxy'), { closed: true }).body.toString(),
      'xy',
    );
    assert.match(parseResponse(Buffer.from('garbage\r\n\r\n')).malformed, /status line/);
  });

  it('sends bytes no client library sends and reads the answer of a real server', async () => {
    const seen = [];
    const server = createServer((request, response) => {
      seen.push(request.url);
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"type":"not_found","message":"no such thing here"}}');
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    try {
      const ok = await exchange({
        port,
        deadlineMs: 5_000,
        bytes: serialiseRequest({ method: 'GET', path: '/caf%C3%A9?q=1', headers: [['Host', 'x']] }),
      });
      assert.equal(ok.kind, 'answered');
      assert.equal(ok.status, 404);
      assert.deepEqual(seen, ['/caf%C3%A9?q=1']);
      // A raw byte above 127 in the path goes out as it is, and Node's parser refuses it.
      const raw = await exchange({
        port,
        deadlineMs: 5_000,
        bytes: serialiseRequest({ method: 'GET', path: '/caf\u00e9', headers: [['Host', 'x']] }),
      });
      assert.equal(raw.status, 400);
      assert.equal(seen.length, 1);
      // Node's own answer to a NUL in a header, when nothing handles clientError: empty.
      const nul = await exchange({
        port,
        deadlineMs: 5_000,
        bytes: serialiseRequest({
          method: 'GET',
          path: '/',
          headers: [
            ['Host', 'x'],
            ['X-A', 'a\u0000b'],
          ],
        }),
      });
      assert.equal(nul.status, 400);
      assert.match(judge('http', nul).reason, /Content-Type/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('generated cases', () => {
  const ctx = {
    tenantId: 'ten_01',
    apiKey: 'hk_key',
    adminToken: 'admin',
    endpointId: 'wh_01',
    spareEndpointIds: ['wh_02'],
    deliveryId: 'delivery_01',
    eventId: 'evt_01',
    eventTypes: [{ type: 'user.created', sample: { id: 'u_1', email: 'a@example.com' } }],
    ports: { ingest: 1, subscription: 2 },
  };
  // A stand-in for the proto codec: the cases only need bytes from it.
  const codec = (service, method, object) => Buffer.from(JSON.stringify([service, method, object]));
  const bytesOf = (testCase) =>
    testCase.transport === 'grpc' ? testCase.bytes : serialiseRequest(testCase.request);

  it('are the same for the same seed and index, and differ across indexes', () => {
    for (const index of [0, 1, 77, 4_096])
      assert.deepEqual(
        bytesOf(generateCase(42, index, ctx, codec)),
        bytesOf(generateCase(42, index, ctx, codec)),
      );
    const distinct = new Set(
      Array.from({ length: 50 }, (_, i) => bytesOf(generateCase(42, i, ctx, codec)).toString('hex')),
    );
    assert.ok(distinct.size > 45);
  });

  it('cover ingest, the REST API and gRPC, and damage something in each', () => {
    const services = new Set();
    for (let index = 0; index < 400; index += 1) {
      const testCase = generateCase(7, index, ctx, codec);
      services.add(testCase.transport === 'grpc' ? 'grpc' : testCase.service);
      assert.ok(testCase.damage.length > 0 || testCase.transport === 'grpc', `case ${index} damages nothing`);
    }
    assert.deepEqual([...services].sort(), ['grpc', 'ingest', 'subscription']);
  });

  it('write deep nesting, raw tokens and duplicate keys without a stack of their own', () => {
    assert.equal(
      jsonText(
        new Entries([
          ['a', 1],
          ['a', new Raw('1e999')],
        ]),
      ),
      '{"a":1,"a":1e999}',
    );
    const deep = jsonText({ x: new Raw('['.repeat(20_000) + ']'.repeat(20_000)) });
    assert.equal(deep.length, 40_006);
  });
});
