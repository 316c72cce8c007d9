import { connect } from 'node:net';
import { INGEST_INVALID_TOPIC, topicForEventType, validateWebhookEvent } from '@hookline/events';
import type { Kafka } from 'kafkajs';
import {
  ensureIntakeTopics,
  type IngestUnderTest,
  type Json,
  sampleValue,
  scrape,
  startIngest,
  testKafka,
  TopicRecorder,
} from './support/ingest.harness';

const USER_TOPICS = ['user.created', 'user.updated', 'user.deleted'].map(topicForEventType);

describe('POST /v1/events (real Kafka and Postgres)', () => {
  let kafka: Kafka;
  let hackmamba: IngestUnderTest;
  let appmint: IngestUnderTest;
  let recorder: TopicRecorder;

  beforeAll(async () => {
    kafka = testKafka();
    await ensureIntakeTopics(kafka);
    hackmamba = await startIngest({ env: { HOOKLINE_PRESET: 'hackmamba' } });
    appmint = await startIngest({ env: { HOOKLINE_PRESET: 'appmint' } });
    const ours = new Set([hackmamba.tenant.id, appmint.tenant.id]);
    recorder = await new TopicRecorder(kafka, [...USER_TOPICS, INGEST_INVALID_TOPIC], (record) =>
      ours.has(record.headers['hookline-tenant-id']),
    ).start();
  });

  afterAll(async () => {
    await recorder?.stop();
    await hackmamba?.close();
    await appmint?.close();
  });

  it('accepts one event, answers 202 only after Kafka has it, and renders created as unix seconds for hackmamba', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await hackmamba.post({
      type: 'user.created',
      data: {
        id: 'usr_single',
        email: 'single@example.com',
        name: 'Single',
        created_at: '2024-01-15T10:30:00Z',
      },
    });
    const after = Math.ceil(Date.now() / 1000);

    expect(response.status).toBe(202);
    expect(Object.keys(response.body)).toEqual(['id', 'type', 'created']);
    expect(response.body.id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(response.body.type).toBe('user.created');
    expect(typeof response.body.created).toBe('number');
    expect(response.body.created).toBeGreaterThanOrEqual(before);
    expect(response.body.created).toBeLessThanOrEqual(after);

    await recorder.waitFor((records) => records.some((r) => r.json?.event?.id === response.body.id));
    const message = recorder.records.find((r) => r.json?.event?.id === response.body.id)!;
    expect(message.topic).toBe('hookline.events.user.created');
    expect(message.key).toBe(`${hackmamba.tenant.id}:usr_single`);
    expect(message.headers).toMatchObject({
      'hookline-tenant-id': hackmamba.tenant.id,
      'hookline-event-type': 'user.created',
      'hookline-event-id': response.body.id,
      'content-type': 'application/json',
    });
    expect(message.json).toMatchObject({ kind: 'event', v: 1, tenantId: hackmamba.tenant.id });
    expect(typeof message.json.acceptedAt).toBe('number');
    const envelope = message.json.event;
    expect(envelope).toEqual({
      id: response.body.id,
      type: 'user.created',
      created: response.body.created,
      api_version: '2024-01-01',
      data: {
        id: 'usr_single',
        email: 'single@example.com',
        name: 'Single',
        created_at: '2024-01-15T10:30:00Z',
      },
      previous_attributes: {},
      request: { id: expect.stringMatching(/^req_[0-9A-Z]{26}$/), idempotency_key: null },
      livemode: true,
    });
    // What the dispatcher will send must be a valid envelope once pending_webhooks is added.
    expect(validateWebhookEvent({ ...envelope, pending_webhooks: 1 })).toEqual({
      ok: true,
      value: expect.anything(),
    });
  });

  it('renders created as ISO 8601 for appmint and keeps what the producer supplied', async () => {
    const response = await appmint.post(
      {
        id: 'evt_producer_supplied_1',
        type: 'user.updated',
        data: { id: 'usr_iso', name: 'New Name' },
        previous_attributes: { name: 'Old Name' },
        livemode: false,
        subject: 'org_42',
      },
      { 'x-request-id': 'req_from_header' },
    );

    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      id: 'evt_producer_supplied_1',
      type: 'user.updated',
      created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
    });
    await recorder.waitFor((records) => records.some((r) => r.json?.event?.id === 'evt_producer_supplied_1'));
    const message = recorder.records.find((r) => r.json?.event?.id === 'evt_producer_supplied_1')!;
    expect(message.topic).toBe('hookline.events.user.updated');
    expect(message.key).toBe(`${appmint.tenant.id}:org_42`);
    expect(message.json.event).toMatchObject({
      created: response.body.created,
      previous_attributes: { name: 'Old Name' },
      livemode: false,
      request: { id: 'req_from_header', idempotency_key: null },
    });
  });

  it('accepts a batch as an array or as {"events": [...]}, in order, one id per event', async () => {
    const events = [
      { type: 'user.created', data: { id: 'usr_batch_a', email: 'a@example.com' } },
      { type: 'user.updated', data: { id: 'usr_batch_a', name: 'A' }, previous_attributes: { name: null } },
      { type: 'user.deleted', data: { id: 'usr_batch_a' } },
    ];
    const asArray = await hackmamba.post(events);
    const asObject = await hackmamba.post({
      events: [{ type: 'user.created', data: { id: 'usr_batch_b' } }],
    });

    expect(asArray.status).toBe(202);
    expect(Object.keys(asArray.body)).toEqual(['data']);
    expect(asArray.body.data.map((ref: { type: string }) => ref.type)).toEqual([
      'user.created',
      'user.updated',
      'user.deleted',
    ]);
    const ids: string[] = asArray.body.data.map((ref: { id: string }) => ref.id);
    expect(new Set(ids).size).toBe(3);
    expect([...ids].sort()).toEqual(ids); // minted in order, so they sort in order
    expect(asObject.status).toBe(202);
    expect(asObject.body).toEqual({ data: [{ id: expect.stringMatching(/^evt_/), type: 'user.created' }] });

    const all = [...ids, asObject.body.data[0].id];
    await recorder.waitFor((records) => all.every((id) => records.some((r) => r.json?.event?.id === id)));
    const batchRecords = ids.map((id) => recorder.records.find((r) => r.json?.event?.id === id)!);
    expect(batchRecords.map((r) => r.topic)).toEqual(events.map((event) => topicForEventType(event.type)));
    expect(new Set(batchRecords.map((r) => r.key))).toEqual(new Set([`${hackmamba.tenant.id}:usr_batch_a`]));
    // One request, one accept time and one request id for every event of the batch.
    expect(new Set(batchRecords.map((r) => r.json.event.created)).size).toBe(1);
    expect(new Set(batchRecords.map((r) => r.json.event.request.id)).size).toBe(1);
  });

  it('refuses a batch with any invalid event, naming each problem by index, and publishes none of it', async () => {
    const response = await hackmamba.post([
      { type: 'user.created', data: { id: 'usr_ok_but_refused' } },
      { type: 'user.created', data: { id: 'usr_bad', email: 'not-an-email' } },
      { type: 'user.exploded', data: { id: 'usr_x' } },
      { type: 'user.created' },
    ]);

    expect(response.status).toBe(422);
    expect(response.body.error.type).toBe('validation_failed');
    expect(response.body.error.message).toBe('3 of 4 events are invalid; none was accepted');
    const fields = response.body.error.fields.map((field: { field: string }) => field.field);
    expect(fields).toEqual(
      expect.arrayContaining(['events[1].data.email', 'events[2].type', 'events[3].data']),
    );
    expect(fields.some((field: string) => field.startsWith('events[0]'))).toBe(false);

    // A marker sent afterwards on the same key arrives after anything the refused batch could have written.
    const marker = await hackmamba.post({
      type: 'user.created',
      data: { id: 'usr_ok_but_refused' },
      subject: 'usr_ok_but_refused',
    });
    await recorder.waitFor((records) => records.some((r) => r.json?.event?.id === marker.body.id));
    expect(
      recorder.records.filter((r) => r.key === `${hackmamba.tenant.id}:usr_ok_but_refused`),
    ).toHaveLength(1);
  });

  it('refuses text Postgres cannot store, naming each field, and publishes none of the batch', async () => {
    // JSON text as a producer would send it: the escapes decode to a NUL and to half a surrogate pair.
    const response = await hackmamba.post(
      `[{"type":"user.created","data":{"id":"usr_text_ok"}},
        {"type":"user.created","data":{"id":"usr_text_nul","name":"Ada\\u0000Lovelace"}},
        {"type":"user.updated","data":{"id":"usr_text_ok"},"previous_attributes":{"name":"\\ud83d"}}]`,
    );

    expect(response.status).toBe(422);
    expect(response.body.error).toEqual({
      type: 'validation_failed',
      message: '2 of 3 events are invalid; none was accepted',
      fields: [
        {
          field: 'events[1].data.name',
          message: 'contains U+0000 (NUL), which cannot be stored',
        },
        {
          field: 'events[2].previous_attributes.name',
          message: 'contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF), which cannot be stored',
        },
      ],
    });

    const marker = await hackmamba.post({
      type: 'user.created',
      data: { id: 'usr_text_ok' },
      subject: 'usr_text_ok',
    });
    expect(marker.status).toBe(202);
    await recorder.waitFor((records) => records.some((r) => r.json?.event?.id === marker.body.id));
    expect(recorder.records.filter((r) => r.key === `${hackmamba.tenant.id}:usr_text_ok`)).toHaveLength(1);
  });

  it('never lets a NUL in a header reach the service: the HTTP parser answers 400', async () => {
    const { hostname, port } = new URL(hackmamba.service.url);
    const body = JSON.stringify({ type: 'user.created', data: { id: 'u' } });
    const answer = await rawHttp(
      hostname,
      Number(port),
      `POST /v1/events HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${hackmamba.tenant.apiKey}\r\n` +
        `Content-Type: application/json\r\nIdempotency-Key: key\u0000nul\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${hackmamba.service.url}/healthz`)).status).toBe(200);
  });

  it('names the limit when a batch has more events than INGEST_MAX_BATCH (500)', async () => {
    const events = Array.from({ length: 501 }, (_, i) => ({
      type: 'user.created',
      data: { id: `usr_${i}` },
    }));
    const response = await hackmamba.post(events);

    expect(response.status).toBe(413);
    expect(response.body.error).toEqual({
      type: 'batch_too_large',
      message: 'the batch has 501 events; the limit is 500',
      fields: [{ field: 'events', message: 'must contain at most 500 events' }],
    });
    expect((await hackmamba.post(events.slice(0, 500))).status).toBe(202);
  });

  describe('answers bad input with a 4xx JSON error naming the problem, never a 500', () => {
    const cases: Array<{
      name: string;
      send: () => Promise<{ status: number; body: Json }>;
      status: number;
      type: string;
      field?: string;
    }> = [
      {
        name: 'no API key',
        send: () => hackmamba.post({ type: 'user.created', data: { id: 'u' } }, { authorization: '' }),
        status: 401,
        type: 'authentication_failed',
      },
      {
        name: 'a wrong API key',
        send: () =>
          hackmamba.post({ type: 'user.created', data: { id: 'u' } }, { authorization: 'Bearer hl_sk_nope' }),
        status: 401,
        type: 'authentication_failed',
      },
      {
        name: 'a non-Bearer Authorization',
        send: () =>
          hackmamba.post({ type: 'user.created', data: { id: 'u' } }, { authorization: 'Basic abc' }),
        status: 401,
        type: 'authentication_failed',
      },
      {
        name: 'malformed JSON',
        send: () => hackmamba.post('{"type": "user.created", "data": {'),
        status: 400,
        type: 'malformed_json',
      },
      { name: 'an empty body', send: () => hackmamba.post(''), status: 400, type: 'malformed_json' },
      {
        name: 'invalid UTF-8',
        send: () => hackmamba.post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
        status: 400,
        type: 'malformed_json',
      },
      {
        name: 'a text/plain body',
        send: () => hackmamba.post('{}', { 'content-type': 'text/plain' }),
        status: 415,
        type: 'unsupported_media_type',
      },
      {
        name: 'a form body',
        send: () =>
          hackmamba.post('type=user.created', { 'content-type': 'application/x-www-form-urlencoded' }),
        status: 415,
        type: 'unsupported_media_type',
      },
      {
        name: 'a latin-1 charset',
        send: () => hackmamba.post('{}', { 'content-type': 'application/json; charset=iso-8859-1' }),
        status: 415,
        type: 'unsupported_media_type',
      },
      {
        name: 'null',
        send: () => hackmamba.post('null'),
        status: 422,
        type: 'validation_failed',
        field: '$',
      },
      {
        name: 'a number',
        send: () => hackmamba.post('42'),
        status: 422,
        type: 'validation_failed',
        field: '$',
      },
      {
        name: 'a string',
        send: () => hackmamba.post('"user.created"'),
        status: 422,
        type: 'validation_failed',
        field: '$',
      },
      {
        name: 'an empty array',
        send: () => hackmamba.post('[]'),
        status: 422,
        type: 'validation_failed',
        field: 'events',
      },
      {
        name: 'events that is not an array',
        send: () => hackmamba.post({ events: { type: 'user.created' } }),
        status: 422,
        type: 'validation_failed',
        field: 'events',
      },
      {
        name: 'a batch object with extra keys',
        send: () => hackmamba.post({ events: [], type: 'user.created' }),
        status: 422,
        type: 'validation_failed',
        field: 'type',
      },
      {
        name: 'a null inside a batch',
        send: () => hackmamba.post([null]),
        status: 422,
        type: 'validation_failed',
        field: 'events[0]',
      },
      {
        name: 'an unknown type',
        send: () => hackmamba.post({ type: 'user.teleported', data: { id: 'u' } }),
        status: 422,
        type: 'validation_failed',
        field: 'type',
      },
      {
        name: 'a schema violation',
        send: () => hackmamba.post({ type: 'user.created', data: { id: 'u', email: 'nope' } }),
        status: 422,
        type: 'validation_failed',
        field: 'data.email',
      },
      {
        name: 'a missing data.id',
        send: () => hackmamba.post({ type: 'user.created', data: {} }),
        status: 422,
        type: 'validation_failed',
        field: 'data.id',
      },
      {
        name: 'an unknown top-level key',
        send: () => hackmamba.post({ type: 'user.created', data: { id: 'u' }, previousAttributes: {} }),
        status: 422,
        type: 'validation_failed',
        field: 'previousAttributes',
      },
      {
        name: 'a malformed producer id',
        send: () => hackmamba.post({ id: 'evt_has.dot', type: 'user.created', data: { id: 'u' } }),
        status: 422,
        type: 'validation_failed',
        field: 'id',
      },
      {
        name: 'a huge type string',
        send: () => hackmamba.post({ type: 'x'.repeat(100_000), data: { id: 'u' } }),
        status: 422,
        type: 'validation_failed',
        field: 'type',
      },
      {
        name: 'deep nesting',
        send: () =>
          hackmamba.post(
            `{"type":"user.created","data":{"id":"u","x":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`,
          ),
        status: 422,
        type: 'validation_failed',
        field: 'data',
      },
      {
        name: 'very deep nesting',
        send: () => hackmamba.post('['.repeat(120_000) + ']'.repeat(120_000)),
        status: 422,
        type: 'validation_failed',
        field: 'events[0]',
      },
      {
        name: 'a body over INGEST_MAX_BODY_BYTES',
        send: () => hackmamba.post({ type: 'user.created', data: { id: 'u', blob: 'x'.repeat(300 * 1024) } }),
        status: 413,
        type: 'payload_too_large',
      },
      {
        name: 'a bad Idempotency-Key',
        send: () =>
          hackmamba.post({ type: 'user.created', data: { id: 'u' } }, { 'idempotency-key': 'k'.repeat(256) }),
        status: 400,
        type: 'invalid_header',
        field: 'Idempotency-Key',
      },
      {
        name: 'a bad X-Request-Id',
        send: () =>
          hackmamba.post({ type: 'user.created', data: { id: 'u' } }, { 'x-request-id': 'has space' }),
        status: 400,
        type: 'invalid_header',
        field: 'X-Request-Id',
      },
      {
        name: 'a NUL in data, sent as the JSON escape \\u0000',
        send: () => hackmamba.post('{"type":"user.created","data":{"id":"u","name":"a\\u0000b"}}'),
        status: 422,
        type: 'validation_failed',
        field: 'data.name',
      },
      {
        name: 'a lone surrogate in data, sent as the JSON escape \\ud800',
        send: () => hackmamba.post('{"type":"user.created","data":{"id":"u","name":"a\\ud800b"}}'),
        status: 422,
        type: 'validation_failed',
        field: 'data.name',
      },
      {
        name: 'a lone low surrogate in previous_attributes',
        send: () =>
          hackmamba.post(
            '{"type":"user.updated","data":{"id":"u"},"previous_attributes":{"name":"\\udc00"}}',
          ),
        status: 422,
        type: 'validation_failed',
        field: 'previous_attributes.name',
      },
      {
        name: 'a NUL in a key of data, inside a batch',
        send: () =>
          hackmamba.post(
            '[{"type":"user.created","data":{"id":"u"}},{"type":"user.created","data":{"id":"v","k\\u0000":1}}]',
          ),
        status: 422,
        type: 'validation_failed',
        field: 'events[1].data.k\\u0000',
      },
      {
        name: 'a NUL in request.idempotency_key',
        send: () =>
          hackmamba.post(
            '{"type":"user.created","data":{"id":"u"},"request":{"idempotency_key":"k\\u0000"}}',
          ),
        status: 422,
        type: 'validation_failed',
        field: 'request.idempotency_key',
      },
      {
        name: 'an Idempotency-Key of non-ASCII bytes',
        send: () =>
          hackmamba.post(
            { type: 'user.created', data: { id: 'u' } },
            { 'idempotency-key': 'k\u00ed\u00a0\u0080' },
          ),
        status: 400,
        type: 'invalid_header',
        field: 'Idempotency-Key',
      },
      {
        name: 'duplicate ids in a batch',
        send: () =>
          hackmamba.post([
            { id: 'evt_same', type: 'user.created', data: { id: 'a' } },
            { id: 'evt_same', type: 'user.created', data: { id: 'b' } },
          ]),
        status: 422,
        type: 'validation_failed',
        field: 'events[1].id',
      },
    ];

    it.each(cases)('$name', async ({ send, status, type, field }) => {
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.body).toEqual({
        error: expect.objectContaining({ type, message: expect.any(String) }),
      });
      expect(response.body.error.message.length).toBeGreaterThan(0);
      if (field !== undefined) {
        expect(response.body.error.fields.map((problem: { field: string }) => problem.field)).toContain(
          field,
        );
      }
    });

    it('answers unknown routes in the same shape', async () => {
      const response = await fetch(`${hackmamba.service.url}/v1/nothing`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { type: 'not_found', message: expect.any(String) } });
    });

    it('is still up and counted what it refused', async () => {
      expect((await fetch(`${hackmamba.service.url}/healthz`)).status).toBe(200);
      const metrics = await scrape(hackmamba.service);
      const events = (type: string, result: string) =>
        sampleValue(metrics, 'hookline_events_ingested_total', { type, result });
      expect(events('user.created', 'accepted')).toBeGreaterThan(0);
      expect(events('user.created', 'invalid')).toBeGreaterThan(0);
      expect(events('unknown', 'invalid')).toBeGreaterThan(0);
      // Types outside the catalogue never become labels of their own.
      expect(metrics).not.toMatch(/type="user\.(teleported|exploded)"/);
      const requests = (outcome: string) =>
        sampleValue(metrics, 'hookline_ingest_request_duration_seconds_count', { source: 'http', outcome });
      expect(requests('accepted')).toBeGreaterThan(0);
      expect(requests('rejected')).toBeGreaterThanOrEqual(28);
    });
  });
});

/** Sends `request` as it is (bytes a client library would refuse to send) and returns the answer. */
function rawHttp(host: string, port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port }, () => socket.end(Buffer.from(request, 'latin1')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}
