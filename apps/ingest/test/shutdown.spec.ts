import { topicForEventType } from '@hookline/events';
import { Client } from 'pg';
import { requestHash } from '../src/idempotency/request-hash';
import { ensureIntakeTopics, startIngest, testKafka, TopicRecorder } from './support/ingest.harness';

describe('graceful shutdown (real Kafka and Postgres)', () => {
  it('stops taking requests but finishes the one in flight, publishing it before the producer disconnects', async () => {
    const kafka = testKafka();
    await ensureIntakeTopics(kafka);
    const ingest = await startIngest({
      env: { INGEST_CONSUMER_ENABLED: 'true', INGEST_CONSUMER_GROUP: `test.ingest-shutdown.${Date.now()}` },
    });
    const recorder = await new TopicRecorder(
      kafka,
      [topicForEventType('user.created')],
      (record) => record.headers['hookline-tenant-id'] === ingest.tenant.id,
    ).start();
    const holder = new Client({ connectionString: ingest.db.url });
    await holder.connect();
    let closing: Promise<void> | undefined;
    try {
      // Park a request mid-flight: another transaction holds its idempotency key.
      const event = { type: 'user.created', data: { id: 'usr_in_flight' } };
      await holder.query('BEGIN');
      await holder.query(
        `INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash, response, expires_at)
         VALUES ($1, 'in-flight', 'evt_holder', $2, '{}', now() + interval '1 hour')`,
        [ingest.tenant.id, requestHash('event', event)],
      );
      const inFlight = ingest.post(event, { 'idempotency-key': 'in-flight' });
      let answeredEarly: unknown;
      void inFlight.then((response) => (answeredEarly = response));
      await until(
        async () => {
          if (answeredEarly) throw new Error(`answered before waiting: ${JSON.stringify(answeredEarly)}`);
          // Not through the holder: inside a transaction pg_stat_activity stays as it was at the first read.
          const rows: Array<{ waiting: number }> = await ingest.db.dataSource.query(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'hookline-ingest' AND wait_event_type = 'Lock'`,
          );
          return rows[0].waiting > 0;
        },
        async () => {
          const rows: unknown[] = await ingest.db.dataSource.query(
            `SELECT application_name, state, wait_event_type, wait_event, left(query, 80) AS query
             FROM pg_stat_activity WHERE datname = current_database()`,
          );
          return JSON.stringify(rows);
        },
      );

      closing = ingest.service.close();
      // Once the listener is gone, the service is shutting down with the request still open.
      await until(
        async () =>
          await fetch(`${ingest.service.url}/healthz`).then(
            () => false,
            () => true,
          ),
      );
      await holder.query('ROLLBACK');

      const response = await inFlight;
      expect(response.status).toBe(202);
      await closing;
      const records = await recorder.waitFor((all) =>
        all.some((record) => record.json?.event?.id === response.body.id),
      );
      expect(records.filter((record) => record.json?.event?.data?.id === 'usr_in_flight')).toHaveLength(1);
    } finally {
      await holder.end().catch(() => undefined);
      await recorder.stop();
      await (closing ?? ingest.service.close()).catch(() => undefined);
      await ingest.db.drop();
    }
  });
});

async function until(
  condition: () => Promise<boolean>,
  describe: () => Promise<string> = async () => '',
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
