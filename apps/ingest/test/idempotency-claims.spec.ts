import type { IncomingMessage } from 'node:http';
import type { Server } from 'node:net';
import { newEventId } from '@hookline/events';
import type { Kafka } from 'kafkajs';
import { requestHash } from '../src/idempotency/request-hash';
import {
  createTenant,
  ensureIntakeTopics,
  type IngestUnderTest,
  type Json,
  startIngest,
  SubjectRecords,
  testKafka,
} from './support/ingest.harness';

/**
 * Claims that live in committed rows (real Kafka and Postgres): duplicates wait without holding a
 * pooled connection, and a claim whose owner died is taken over with the ids it stored.
 */
describe('idempotency claims (real Kafka and Postgres)', () => {
  let kafka: Kafka;
  let ingest: IngestUnderTest;
  let subjects: SubjectRecords;

  beforeAll(async () => {
    kafka = testKafka();
    await ensureIntakeTopics(kafka);
    ingest = await startIngest({
      env: {
        HOOKLINE_PRESET: 'appmint',
        // Two connections: a duplicate that held one while waiting would leave nothing for anyone else.
        DATABASE_POOL_SIZE: '2',
        INGEST_IDEMPOTENCY_WAIT: '45s',
        INGEST_IDEMPOTENCY_LEASE: '1s',
      },
    });
    subjects = await SubjectRecords.start(kafka, ingest, 'usr_claim');
  });

  afterAll(async () => {
    await subjects?.stop();
    await ingest?.close();
  });

  /** Writes the row an instance leaves while it publishes `eventIds` for `event` under `key`. */
  async function writeClaim(
    key: string,
    event: object,
    claim: { eventIds: string[]; acceptedAt: string; requestId: string; leaseSeconds: number; reply: object },
  ): Promise<void> {
    await ingest.db.dataSource.query(
      `INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, response, expires_at,
         state, owner, lease_expires_at, event_ids, accepted_at, request_id)
       VALUES ($1, $2, $3, $4, $5, now() + interval '1 hour', 'publishing', 'another-instance',
         now() + $6 * interval '1 second', $7, $8, $9)`,
      [
        ingest.tenant.id,
        key,
        claim.eventIds[0],
        requestHash('event', event),
        JSON.stringify(claim.reply),
        claim.leaseSeconds,
        claim.eventIds,
        claim.acceptedAt,
        claim.requestId,
      ],
    );
  }

  it('lets other requests use the database while a dozen duplicates wait for a claim held elsewhere', async () => {
    const subject = subjects.newSubject();
    const key = `held-${subject}`;
    const event = { type: 'user.created', data: { id: subject } };
    const held = { id: newEventId(), type: 'user.created', created: '2026-01-15T10:30:00Z' };
    await writeClaim(key, event, {
      eventIds: [held.id],
      acceptedAt: '2026-01-15T10:30:00Z',
      requestId: 'req_held',
      leaseSeconds: 3600,
      reply: held,
    });
    const server = ingest.service.app.getHttpServer() as Server;
    let arrived = 0;
    const count = (request: IncomingMessage) => {
      if (request.headers['idempotency-key'] === key) arrived += 1;
    };
    server.on('request', count);

    const answered: boolean[] = [];
    const duplicates = Array.from({ length: 12 }, (_, index) =>
      ingest.post(event, { 'idempotency-key': key }).finally(() => {
        answered[index] = true;
      }),
    );
    try {
      const deadline = Date.now() + 20_000;
      while (arrived < duplicates.length) {
        if (Date.now() > deadline) throw new Error(`only ${arrived} duplicates reached ingest`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }

      // Each needs connections: an API key never looked up before, the key lookup, its claim, its finish.
      for (let i = 0; i < 3; i += 1) {
        const other = await createTenant(ingest.db);
        const response = await ingest.post(
          { type: 'user.created', data: { id: `${subject}_other_${i}` } },
          { authorization: `Bearer ${other.apiKey}`, 'idempotency-key': `other-${subject}-${i}` },
        );
        expect(response.status).toBe(202);
      }
      expect(answered.filter(Boolean)).toEqual([]);
    } finally {
      server.off('request', count);
      // The owner finishes.
      await ingest.db.dataSource.query(
        `UPDATE idempotency_keys SET state = 'done', owner = NULL, lease_expires_at = NULL
         WHERE tenant_id = $1 AND key = $2`,
        [ingest.tenant.id, key],
      );
    }

    const responses = await Promise.all(duplicates);
    expect(responses.map((response) => response.status)).toEqual(Array(12).fill(202));
    expect(responses.map((response) => response.body)).toEqual(Array(12).fill(held));
    expect(responses.every((response) => response.headers.get('idempotent-replayed') === 'true')).toBe(true);
    expect(await subjects.about(subject)).toEqual([]);
  });

  it('gives a dozen concurrent duplicates one answer and publishes once, on two connections', async () => {
    const subject = subjects.newSubject();
    const batch = [
      { type: 'user.created', data: { id: subject } },
      { type: 'user.updated', data: { id: subject, name: 'Ada' } },
    ];

    const responses = await Promise.all(
      Array.from({ length: 12 }, () => ingest.post(batch, { 'idempotency-key': `race-${subject}` })),
    );

    expect(responses.map((response) => response.status)).toEqual(Array(12).fill(202));
    expect(new Set(responses.map((response) => JSON.stringify(response.body))).size).toBe(1);
    const ids = responses[0].body.data.map((ref: Json) => ref.id);
    const records = await subjects.about(subject);
    expect(records.map((record) => record.json.event.id).sort()).toEqual([...ids].sort());
  });

  describe('when the instance holding a claim dies after publishing', () => {
    afterEach(async () => {
      await ingest.db.dataSource.query('DROP TRIGGER IF EXISTS dies_before_done ON idempotency_keys');
      await ingest.db.dataSource.query('DROP FUNCTION IF EXISTS dies_before_done()');
    });

    it('a retry takes the claim over once its lease lapses and publishes the same records again', async () => {
      const subject = subjects.newSubject();
      const key = `dies-${subject}`;
      const batch = [
        { type: 'user.created', data: { id: subject } },
        { type: 'user.updated', data: { id: subject, name: 'Ada' } },
      ];
      // The events reach Kafka but the key is never marked done, as when the process dies in between.
      await ingest.db.dataSource.query(`
        CREATE FUNCTION dies_before_done() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.key LIKE 'dies-%' AND NEW.state = 'done' THEN RAISE EXCEPTION 'the instance died'; END IF;
          RETURN NEW;
        END $$`);
      await ingest.db.dataSource.query(`
        CREATE TRIGGER dies_before_done BEFORE UPDATE ON idempotency_keys
        FOR EACH ROW EXECUTE FUNCTION dies_before_done()`);

      const first = await ingest.post(batch, { 'idempotency-key': key });
      expect(first.status).toBe(202);
      const [row] = await ingest.db.dataSource.query(
        `SELECT state, event_ids FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`,
        [ingest.tenant.id, key],
      );
      expect(row).toEqual({ state: 'publishing', event_ids: first.body.data.map((ref: Json) => ref.id) });
      await ingest.db.dataSource.query('DROP TRIGGER dies_before_done ON idempotency_keys');

      // The client never saw the answer and retries; the claim's owner no longer renews its lease.
      const retry = await ingest.post(batch, { 'idempotency-key': key });
      const replay = await ingest.post(batch, { 'idempotency-key': key });

      expect(retry.status).toBe(202);
      expect(retry.body).toEqual(first.body);
      expect(replay.body).toEqual(first.body);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      const records = await subjects.about(subject);
      // Each event twice, under its first id, byte for byte: `created` and `request.id` included.
      expect(records).toHaveLength(4);
      for (const ref of first.body.data) {
        const copies = records.filter((record) => record.json.event.id === ref.id);
        expect(copies).toHaveLength(2);
        expect(copies[0].value!.equals(copies[1].value!)).toBe(true);
      }
    });
  });

  it('takes over a claim whose owner died before publishing, with the ids and time it stored', async () => {
    const subject = subjects.newSubject();
    const key = `lapsed-${subject}`;
    const event = { type: 'user.created', data: { id: subject } };
    const storedId = newEventId();
    await writeClaim(key, event, {
      eventIds: [storedId],
      acceptedAt: '2026-01-15T10:30:00Z',
      requestId: 'req_from_the_dead_owner',
      leaseSeconds: -1,
      reply: { id: storedId, type: 'user.created', created: '2026-01-15T10:30:00Z' },
    });

    const response = await ingest.post(event, { 'idempotency-key': key });

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: storedId, type: 'user.created', created: '2026-01-15T10:30:00Z' });
    const records = await subjects.about(subject);
    expect(records).toHaveLength(1);
    expect(records[0].json.acceptedAt).toBe(Date.parse('2026-01-15T10:30:00Z'));
    expect(records[0].json.event).toMatchObject({
      id: storedId,
      created: '2026-01-15T10:30:00Z',
      request: { id: 'req_from_the_dead_owner', idempotency_key: key },
    });
  });

  it('refuses a different request on a key whose dead owner may have published', async () => {
    const subject = subjects.newSubject();
    const key = `lapsed-other-${subject}`;
    const storedId = newEventId();
    await writeClaim(
      key,
      { type: 'user.created', data: { id: subject } },
      {
        eventIds: [storedId],
        acceptedAt: '2026-01-15T10:30:00Z',
        requestId: 'req_dead',
        leaseSeconds: -1,
        reply: { id: storedId, type: 'user.created', created: '2026-01-15T10:30:00Z' },
      },
    );

    const response = await ingest.post(
      { type: 'user.created', data: { id: subject, name: 'Someone else' } },
      { 'idempotency-key': key },
    );

    expect(response.status).toBe(409);
    expect(response.body.error.type).toBe('idempotency_key_reused');
    expect(await subjects.about(subject)).toEqual([]);
  });
});
