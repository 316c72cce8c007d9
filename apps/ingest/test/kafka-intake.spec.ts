import { randomBytes } from 'node:crypto';
import { INGEST_INVALID_TOPIC, INGEST_TOPIC, type RawEvent, topicForEventType } from '@hookline/events';
import { createIngestProducer, type IngestProducer } from '@hookline/kafka';
import type { Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { requestHash } from '../src/idempotency/request-hash';
import {
  ensureIntakeTopics,
  type IngestUnderTest,
  type RecordedMessage,
  sampleValue,
  scrape,
  startIngest,
  testKafka,
  TopicRecorder,
  uniqueTenantId,
} from './support/ingest.harness';

describe('ingest topic consumer (real Kafka and Postgres)', () => {
  const run = randomBytes(4).toString('hex');
  const groupId = `test.ingest-consumer.${run}`;
  let kafka: Kafka;
  let ingest: IngestUnderTest;
  let domainService: IngestProducer;
  let raw: Producer;
  let recorder: TopicRecorder;

  beforeAll(async () => {
    kafka = testKafka();
    await ensureIntakeTopics(kafka);
    ingest = await startIngest({
      env: {
        HOOKLINE_PRESET: 'hackmamba',
        INGEST_CONSUMER_ENABLED: 'true',
        INGEST_CONSUMER_GROUP: groupId,
        INGEST_IDEMPOTENCY_WAIT: '300ms',
      },
    });
    domainService = createIngestProducer(kafka, { tenantId: ingest.tenant.id });
    await domainService.connect();
    raw = kafka.producer({ allowAutoTopicCreation: false });
    await raw.connect();
    recorder = await new TopicRecorder(
      kafka,
      [topicForEventType('user.created'), topicForEventType('user.updated'), INGEST_INVALID_TOPIC],
      (record) =>
        record.headers['hookline-tenant-id'] === ingest.tenant.id || (record.key ?? '').includes(run),
    ).start();
  });

  afterAll(async () => {
    await recorder?.stop();
    await domainService?.disconnect();
    await raw?.disconnect();
    await ingest?.close();
  });

  const refusedWithKey = (key: string) => (records: readonly RecordedMessage[]) =>
    records.find((record) => record.topic === INGEST_INVALID_TOPIC && record.key === key);

  it('routes a valid event from a domain service to its per-type topic, like the HTTP path', async () => {
    const subject = `usr_kafka_${run}`;
    const event: RawEvent = { type: 'user.created', data: { id: subject, email: 'k@example.com' } };
    await domainService.publish(event);

    const records = await recorder.waitFor((all) =>
      all.some((record) => record.json?.event?.data?.id === subject),
    );
    const routed = records.find((record) => record.json?.event?.data?.id === subject)!;
    expect(routed.topic).toBe('hookline.events.user.created');
    expect(routed.key).toBe(`${ingest.tenant.id}:${subject}`);
    expect(routed.headers['hookline-tenant-id']).toBe(ingest.tenant.id);
    expect(routed.json).toMatchObject({ kind: 'event', v: 1, tenantId: ingest.tenant.id });
    expect(routed.json.event).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      type: 'user.created',
      created: expect.any(Number),
      api_version: '2024-01-01',
      data: { id: subject, email: 'k@example.com' },
      previous_attributes: {},
      request: { id: expect.stringMatching(/^req_/), idempotency_key: null },
      livemode: true,
    });
  });

  it('sends an event that fails validation to the invalid topic, bytes unchanged, with the reason', async () => {
    const subject = `usr_bad_${run}`;
    await domainService.publish({ type: 'user.created', data: { id: subject, email: 'not-an-email' } });
    const key = `${ingest.tenant.id}:${subject}`;

    const records = await recorder.waitFor((all) => refusedWithKey(key)(all) !== undefined);
    const refused = refusedWithKey(key)(records)!;
    expect(JSON.parse(refused.value!.toString('utf8'))).toEqual({
      type: 'user.created',
      data: { id: subject, email: 'not-an-email' },
    });
    expect(refused.headers['hookline-tenant-id']).toBe(ingest.tenant.id);
    expect(refused.headers['hookline-source-topic']).toBe(INGEST_TOPIC);
    expect(refused.headers['hookline-source-offset']).toMatch(/^\d+$/);
    expect(JSON.parse(refused.headers['hookline-error'])).toEqual({
      type: 'validation_failed',
      message: 'the event is invalid',
      fields: [{ field: 'data.email', message: expect.stringContaining('email') }],
    });
    expect(records.some((record) => record.json?.event?.data?.id === subject)).toBe(false);
  });

  it.each([
    {
      name: 'no tenant header',
      key: `no-tenant-${run}`,
      value: JSON.stringify({ type: 'user.created', data: { id: 'usr_1' } }),
      headers: {},
      reason: 'missing_tenant',
    },
    {
      name: 'an unknown tenant',
      key: `unknown-tenant-${run}`,
      value: JSON.stringify({ type: 'user.created', data: { id: 'usr_1' } }),
      headers: { 'hookline-tenant-id': uniqueTenantId('nobody') },
      reason: 'unknown_tenant',
    },
    {
      name: 'malformed JSON',
      key: `malformed-${run}`,
      value: '{"type": "user.created", "data": ',
      headers: 'tenant',
      reason: 'malformed_json',
    },
    {
      name: 'an unknown type',
      key: `unknown-type-${run}`,
      value: JSON.stringify({ type: 'user.levitated', data: { id: 'usr_1' } }),
      headers: 'tenant',
      reason: 'validation_failed',
    },
    {
      name: 'no value at all',
      key: `tombstone-${run}`,
      value: null,
      headers: 'tenant',
      reason: 'malformed_json',
    },
  ] as const)(
    'refuses a record with $name, keeping its bytes and saying why',
    async ({ key, value, headers, reason }) => {
      await raw.send({
        topic: INGEST_TOPIC,
        acks: -1,
        messages: [
          {
            key,
            value,
            headers: headers === 'tenant' ? { 'hookline-tenant-id': ingest.tenant.id } : headers,
          },
        ],
      });

      const records = await recorder.waitFor((all) => refusedWithKey(key)(all) !== undefined);
      const refused = refusedWithKey(key)(records)!;
      expect(refused.value?.toString('utf8') ?? null).toBe(value);
      expect(JSON.parse(refused.headers['hookline-error'])).toMatchObject({
        type: reason,
        message: expect.any(String),
      });
    },
  );

  it('sets aside records with text Postgres cannot store, with the field, and routes the next one on the partition', async () => {
    const key = `${ingest.tenant.id}:usr_text_${run}`;
    // JSON text as a domain service would write it: the escapes decode to a NUL and to half a pair.
    const withNul = `{"type":"user.created","data":{"id":"usr_text_${run}","name":"Ada\\u0000"}}`;
    const withSurrogate = `{"type":"user.created","data":{"id":"usr_text_${run}"},"subject":"s\\ud800"}`;
    const valid = JSON.stringify({ type: 'user.created', data: { id: `usr_text_${run}`, name: 'Ada' } });
    const headers = { 'hookline-tenant-id': ingest.tenant.id };
    // One key, one send: the three records sit one after another on the same partition.
    const [sent] = await raw.send({
      topic: INGEST_TOPIC,
      acks: -1,
      messages: [withNul, withSurrogate, valid].map((value) => ({ key, value, headers })),
    });

    const records = await recorder.waitFor(
      (all) =>
        all.filter((record) => record.topic === INGEST_INVALID_TOPIC && record.key === key).length === 2 &&
        all.some((record) => record.json?.event?.data?.id === `usr_text_${run}`),
    );
    const refused = records.filter((record) => record.topic === INGEST_INVALID_TOPIC && record.key === key);
    expect(refused.map((record) => record.value?.toString('utf8'))).toEqual([withNul, withSurrogate]);
    expect(refused.map((record) => JSON.parse(record.headers['hookline-error']))).toEqual([
      {
        type: 'validation_failed',
        message: 'the event is invalid',
        fields: [{ field: 'data.name', message: 'contains U+0000 (NUL), which cannot be stored' }],
      },
      {
        type: 'validation_failed',
        message: 'the event is invalid',
        fields: [
          {
            field: 'subject',
            message: 'contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF), which cannot be stored',
          },
        ],
      },
    ]);
    const base = Number(sent.baseOffset);
    expect(refused.map((record) => record.headers['hookline-source-partition'])).toEqual([
      String(sent.partition),
      String(sent.partition),
    ]);
    expect(refused.map((record) => record.headers['hookline-source-offset'])).toEqual([
      String(base),
      String(base + 1),
    ]);

    const routed = records.filter((record) => record.json?.event?.data?.id === `usr_text_${run}`);
    expect(routed).toHaveLength(1);
    expect(routed[0].topic).toBe('hookline.events.user.created');
    expect(routed[0].json.event.data).toEqual({ id: `usr_text_${run}`, name: 'Ada' });
  });

  it('refuses a record whose tenant header holds a NUL instead of reading it again forever', async () => {
    const key = `nul-tenant-${run}`;
    const value = JSON.stringify({ type: 'user.created', data: { id: 'usr_1' } });
    await raw.send({
      topic: INGEST_TOPIC,
      acks: -1,
      messages: [{ key, value, headers: { 'hookline-tenant-id': `${ingest.tenant.id}\u0000` } }],
    });

    const records = await recorder.waitFor((all) => refusedWithKey(key)(all) !== undefined);
    expect(JSON.parse(refusedWithKey(key)(records)!.headers['hookline-error'])).toEqual({
      type: 'unknown_tenant',
      message: 'the hookline-tenant-id header contains U+0000 (NUL), which no tenant id holds',
    });
  });

  it('does not commit a record it could not finish, and routes it once it can', async () => {
    const subject = `usr_held_${run}`;
    const event: RawEvent = {
      type: 'user.created',
      data: { id: subject },
      request: { idempotency_key: `held-${run}` },
    };
    // Another request holds the event's idempotency key, so ingest can neither route nor refuse it yet.
    const holder = new Client({ connectionString: ingest.db.url });
    await holder.connect();
    let sent: { partition: number; baseOffset?: string } | undefined;
    try {
      await holder.query('BEGIN');
      await holder.query(
        `INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, response, expires_at)
         VALUES ($1, $2, 'evt_holder', $3, '{}', now() + interval '1 hour')`,
        [ingest.tenant.id, `held-${run}`, requestHash('event', event)],
      );
      [sent] = await raw.send({
        topic: INGEST_TOPIC,
        acks: -1,
        messages: [
          {
            key: `${ingest.tenant.id}:${subject}`,
            value: JSON.stringify(event),
            headers: { 'hookline-tenant-id': ingest.tenant.id },
          },
        ],
      });

      // Several attempts time out on the key (300 ms each); the record must stay uncommitted meanwhile.
      await waitForErrors(ingest, 2);
      expect(await committedOffset(kafka, groupId, sent.partition)).toBeLessThanOrEqual(
        Number(sent.baseOffset),
      );
      // (A committed offset is the next one to read: the record itself stays unread until it is handled.)

      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }

    const records = await recorder.waitFor((all) =>
      all.some((record) => record.json?.event?.data?.id === subject),
    );
    expect(records.filter((record) => record.json?.event?.data?.id === subject)).toHaveLength(1);
    expect(
      records.some(
        (record) => record.topic === INGEST_INVALID_TOPIC && record.key === `${ingest.tenant.id}:${subject}`,
      ),
    ).toBe(false);
    // Committed only now that it is routed.
    const routedOffset = Number(sent!.baseOffset);
    const deadline = Date.now() + 20_000;
    while ((await committedOffset(kafka, groupId, sent!.partition)) <= routedOffset) {
      if (Date.now() > deadline) throw new Error('the routed record was never committed');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('counts what it routed and refused', async () => {
    const metrics = await scrape(ingest.service);
    expect(
      sampleValue(metrics, 'hookline_events_ingested_total', { type: 'user.created', result: 'accepted' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sampleValue(metrics, 'hookline_events_ingested_total', { type: 'user.created', result: 'invalid' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(metrics, 'hookline_ingest_request_duration_seconds_count', {
        source: 'kafka',
        outcome: 'rejected',
      }),
    ).toBeGreaterThanOrEqual(6);
  });
});

/** Waits until ingest has counted at least `count` events it could not handle for lack of a dependency. */
async function waitForErrors(ingest: IngestUnderTest, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (
    sampleValue(await scrape(ingest.service), 'hookline_events_ingested_total', {
      type: 'user.created',
      result: 'error',
    }) < count
  ) {
    if (Date.now() > deadline) throw new Error(`ingest never failed ${count} times on the held record`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The group's committed offset on one ingest-topic partition; -1 when nothing was committed yet. */
async function committedOffset(kafka: Kafka, groupId: string, partition: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId, topics: [INGEST_TOPIC] });
    return Number(topic.partitions.find((entry) => entry.partition === partition)?.offset ?? -1);
  } finally {
    await admin.disconnect();
  }
}
