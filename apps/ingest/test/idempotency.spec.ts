import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { requestHash } from '../src/idempotency/request-hash';
import {
  deadBrokerAddress,
  ensureIntakeTopics,
  type IngestUnderTest,
  type Json,
  sampleValue,
  scrape,
  startIngest,
  SubjectRecords,
  testKafka,
} from './support/ingest.harness';

describe('idempotency keys (real Kafka and Postgres)', () => {
  let kafka: Kafka;
  let ingest: IngestUnderTest;
  let subjects: SubjectRecords;

  beforeAll(async () => {
    kafka = testKafka();
    await ensureIntakeTopics(kafka);
    ingest = await startIngest({ env: { HOOKLINE_PRESET: 'appmint' } });
    subjects = await SubjectRecords.start(kafka, ingest, 'usr_idem');
  });

  afterAll(async () => {
    await subjects?.stop();
    await ingest?.close();
  });

  it('answers a repeated request with the original event and publishes it once', async () => {
    const subject = subjects.newSubject();
    const event = { type: 'user.created', data: { id: subject, email: 'once@example.com' } };

    const first = await ingest.post(event, { 'idempotency-key': `order-${subject}` });
    // Re-serialised with another key order: still the same request.
    const again = await ingest.post(
      { data: { email: 'once@example.com', id: subject }, type: 'user.created' },
      {
        'idempotency-key': `order-${subject}`,
      },
    );

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const records = await subjects.about(subject);
    expect(records.map((record) => record.json.event.id)).toEqual([first.body.id]);
    expect(records[0].json.event.request.idempotency_key).toBe(`order-${subject}`);
  });

  it('lets exactly one of 10 concurrent identical requests publish, and gives all of them its id', async () => {
    const subject = subjects.newSubject();
    const event = { type: 'user.created', data: { id: subject } };

    const responses = await Promise.all(
      Array.from({ length: 10 }, () => ingest.post(event, { 'idempotency-key': `race-${subject}` })),
    );

    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(202));
    const ids = new Set(responses.map((response) => response.body.id));
    expect(ids.size).toBe(1);
    const records = await subjects.about(subject);
    expect(records.map((record) => record.json.event.id)).toEqual([...ids]);
  });

  it('honours request.idempotency_key in the body like the header', async () => {
    const subject = subjects.newSubject();
    const event = {
      type: 'user.created',
      data: { id: subject },
      request: { idempotency_key: `body-${subject}` },
    };

    const first = await ingest.post(event);
    const again = await ingest.post(event);

    expect(again.body).toEqual(first.body);
    expect(await subjects.about(subject)).toHaveLength(1);
  });

  it('refuses the same key with a different body, naming the key', async () => {
    const subject = subjects.newSubject();
    const first = await ingest.post(
      { type: 'user.created', data: { id: subject } },
      { 'idempotency-key': `k-${subject}` },
    );
    const different = await ingest.post(
      { type: 'user.created', data: { id: subject, name: 'Changed' } },
      { 'idempotency-key': `k-${subject}` },
    );

    expect(first.status).toBe(202);
    expect(different.status).toBe(409);
    expect(different.body.error).toMatchObject({
      type: 'idempotency_key_reused',
      message: expect.stringContaining(`k-${subject}`),
      fields: [{ field: 'Idempotency-Key', message: expect.any(String) }],
    });
    expect(await subjects.about(subject)).toHaveLength(1);
  });

  it('refuses a body key that contradicts the header', async () => {
    const response = await ingest.post(
      { type: 'user.created', data: { id: 'usr_x' }, request: { idempotency_key: 'body-key' } },
      { 'idempotency-key': 'header-key' },
    );
    expect(response.status).toBe(422);
    expect(response.body.error.fields).toEqual([
      { field: 'request.idempotency_key', message: expect.any(String) },
    ]);
  });

  it('replays a whole batch for a repeated header key, with every original id', async () => {
    const subject = subjects.newSubject();
    const batch = [
      { type: 'user.created', data: { id: subject } },
      { type: 'user.updated', data: { id: subject, name: 'B' } },
    ];
    const first = await ingest.post(batch, { 'idempotency-key': `batch-${subject}` });
    const again = await ingest.post(batch, { 'idempotency-key': `batch-${subject}` });
    const asSingle = await ingest.post(batch[0], { 'idempotency-key': `batch-${subject}` });

    expect(first.status).toBe(202);
    expect(first.body.data).toHaveLength(2);
    expect(again.body).toEqual(first.body);
    expect(asSingle.status).toBe(409);
    const records = await subjects.about(subject);
    // Two topics: Kafka orders records within a partition, not across topics.
    expect(records.map((record) => record.json.event.id).sort()).toEqual(
      first.body.data.map((ref: Json) => ref.id).sort(),
    );
  });

  it('applies per-event keys of a batch per event: only new events are published', async () => {
    const subject = subjects.newSubject();
    const repeated = {
      type: 'user.created',
      data: { id: subject },
      request: { idempotency_key: `ev-a-${subject}` },
    };
    const first = await ingest.post([repeated]);
    const second = await ingest.post([
      repeated,
      {
        type: 'user.updated',
        data: { id: subject, name: 'new' },
        request: { idempotency_key: `ev-b-${subject}` },
      },
      { type: 'user.updated', data: { id: subject, name: 'keyless' } },
    ]);

    expect(second.status).toBe(202);
    expect(second.body.data[0]).toEqual(first.body.data[0]);
    expect(new Set(second.body.data.map((ref: Json) => ref.id)).size).toBe(3);
    const records = await subjects.about(subject);
    expect(records.map((record) => record.json.event.id).sort()).toEqual(
      [first.body.data[0].id, second.body.data[1].id, second.body.data[2].id].sort(),
    );
  });

  it('refuses a batch that uses one key twice', async () => {
    const response = await ingest.post(
      [
        { type: 'user.created', data: { id: 'a' }, request: { idempotency_key: 'dup' } },
        { type: 'user.created', data: { id: 'b' }, request: { idempotency_key: 'dup' } },
      ],
      { 'idempotency-key': 'other' },
    );
    expect(response.status).toBe(422);
    expect(response.body.error.fields).toEqual([
      { field: 'events[1].request.idempotency_key', message: expect.any(String) },
    ]);
  });

  describe('while the first request with a key is still in flight', () => {
    let holder: Client;

    beforeEach(async () => {
      holder = new Client({ connectionString: ingest.db.url });
      await holder.connect();
    });
    afterEach(async () => {
      await holder.end();
    });

    /** Inserts `key` in a transaction left open, as a concurrent request does for a moment while it claims. */
    async function holdKey(key: string, event: object, reply: object): Promise<void> {
      await holder.query('BEGIN');
      await holder.query(
        `INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, response, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + interval '1 hour')`,
        [
          ingest.tenant.id,
          key,
          (reply as { id: string }).id,
          requestHash('event', event),
          JSON.stringify(reply),
        ],
      );
    }

    /** Resolves once an ingest connection waits on a row lock, i.e. the repeat is parked behind the first. */
    async function repeatIsWaiting(): Promise<void> {
      const deadline = Date.now() + 20_000;
      for (;;) {
        // Not through the holder: inside a transaction pg_stat_activity stays as it was at the first read.
        const rows: Array<{ waiting: number }> = await ingest.db.dataSource.query(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'hookline-ingest' AND wait_event_type = 'Lock'`,
        );
        if (rows[0].waiting > 0) return;
        if (Date.now() > deadline) throw new Error('the repeated request never waited for the key');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }

    it('a repeat waits for it and then answers with its event, publishing nothing', async () => {
      const subject = subjects.newSubject();
      const event = { type: 'user.created', data: { id: subject } };
      const original = { id: 'evt_first_in_flight', type: 'user.created', created: '2026-01-01T00:00:00Z' };
      await holdKey(`wait-${subject}`, event, original);

      const repeat = ingest.post(event, { 'idempotency-key': `wait-${subject}` });
      await repeatIsWaiting();
      await holder.query('COMMIT');

      const response = await repeat;
      expect(response.status).toBe(202);
      expect(response.body).toEqual(original);
      expect(await subjects.about(subject)).toEqual([]);
    });

    it('a repeat takes over when the first one fails and gives its key back', async () => {
      const subject = subjects.newSubject();
      const event = { type: 'user.created', data: { id: subject } };
      await holdKey(`fail-${subject}`, event, {
        id: 'evt_never_published',
        type: 'user.created',
        created: 'x',
      });

      const repeat = ingest.post(event, { 'idempotency-key': `fail-${subject}` });
      await repeatIsWaiting();
      await holder.query('ROLLBACK');

      const response = await repeat;
      expect(response.status).toBe(202);
      expect(response.body.id).not.toBe('evt_never_published');
      const records = await subjects.about(subject);
      expect(records.map((record) => record.json.event.id)).toEqual([response.body.id]);
    });
  });

  it('takes over a key whose retention has passed', async () => {
    const subject = subjects.newSubject();
    const event = { type: 'user.created', data: { id: subject } };
    const first = await ingest.post(event, { 'idempotency-key': `old-${subject}` });
    await ingest.db.dataSource.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND key = $2`,
      [ingest.tenant.id, `old-${subject}`],
    );

    const later = await ingest.post(event, { 'idempotency-key': `old-${subject}` });

    expect(later.status).toBe(202);
    expect(later.body.id).not.toBe(first.body.id);
    expect(await subjects.about(subject)).toHaveLength(2);
  });

  it('counts key hits', async () => {
    const metrics = await scrape(ingest.service);
    expect(
      sampleValue(metrics, 'hookline_ingest_idempotency_hits_total', { outcome: 'replayed' }),
    ).toBeGreaterThanOrEqual(13);
    expect(
      sampleValue(metrics, 'hookline_ingest_idempotency_hits_total', { outcome: 'conflict' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sampleValue(metrics, 'hookline_events_ingested_total', { type: 'user.created', result: 'duplicate' }),
    ).toBeGreaterThan(0);
  });

  describe('when Kafka is unavailable', () => {
    let cutOff: IngestUnderTest;

    beforeAll(async () => {
      cutOff = await startIngest({
        shareWith: ingest,
        env: {
          HOOKLINE_PRESET: 'appmint',
          KAFKA_BROKERS: await deadBrokerAddress(),
          KAFKA_CONNECTION_TIMEOUT: '250ms',
        },
      });
    });
    afterAll(async () => {
      await cutOff?.close();
    });

    it('answers 503 with a JSON error, keeps no claim on the key, and a retry elsewhere succeeds', async () => {
      const subject = subjects.newSubject();
      const event = { type: 'user.created', data: { id: subject } };

      const refused = await cutOff.post(event, { 'idempotency-key': `down-${subject}` });

      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({ error: { type: 'service_unavailable', message: expect.any(String) } });
      const claims: unknown[] = await ingest.db.dataSource.query(
        'SELECT 1 FROM idempotency_keys WHERE tenant_id = $1 AND key = $2',
        [ingest.tenant.id, `down-${subject}`],
      );
      expect(claims).toEqual([]);

      const retried = await ingest.post(event, { 'idempotency-key': `down-${subject}` });
      expect(retried.status).toBe(202);
      const records = await subjects.about(subject);
      expect(records.map((record) => record.json.event.id)).toEqual([retried.body.id]);

      const metrics = await scrape(cutOff.service);
      expect(
        sampleValue(metrics, 'hookline_events_ingested_total', { type: 'user.created', result: 'error' }),
      ).toBe(1);
    });

    it('answers 503 for requests without a key too', async () => {
      const refused = await cutOff.post([{ type: 'user.created', data: { id: 'usr_down' } }]);
      expect(refused.status).toBe(503);
      expect(refused.body.error.type).toBe('service_unavailable');
    });
  });
});
