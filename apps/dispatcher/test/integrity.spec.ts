import { randomBytes } from 'node:crypto';
import {
  type AcceptedEvent,
  DEAD_LETTER_TOPIC,
  DELIVERY_TASKS_TOPIC,
  encodeAcceptedEvent,
  encodeDeliveryTask,
  newEventId,
  topicForEventType,
} from '@hookline/events';
import { deliveryIdFor } from '@hookline/persistence';
import { consumeUntil, startReceiver, type TestReceiver } from '@hookline/testing';
import { type DispatcherHarness, startDispatcher } from './dispatcher.harness';

const TYPE = 'user.updated';
const bodyOf = (r: { body: Buffer }) => JSON.parse(r.body.toString()) as { id: string; data: { id: string } };

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function accepted(tenantId: string, data: Record<string, unknown>, id = newEventId()): AcceptedEvent {
  return {
    kind: 'event',
    v: 1,
    tenantId,
    acceptedAt: Date.now(),
    event: {
      id,
      type: TYPE,
      created: new Date().toISOString(),
      api_version: '2026-11-01',
      data,
      previous_attributes: {},
      request: null,
      livemode: true,
    },
  };
}

describe('the delivery path under bad input and faults', () => {
  let harness: DispatcherHarness;
  let receiver: TestReceiver;

  beforeAll(async () => {
    harness = await startDispatcher({ HOOKLINE_PRESET: 'hookline' });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await harness?.close();
  });

  const committedPast = async (topic: string, offset: string): Promise<boolean> => {
    const admin = harness.kafka.admin();
    await admin.connect();
    try {
      const [entry] = await admin.fetchOffsets({ groupId: harness.config.groupId, topics: [topic] });
      return entry.partitions.some((p) => BigInt(p.offset) > BigInt(offset));
    } finally {
      await admin.disconnect();
    }
  };

  it('sets aside an event the database cannot store, and delivers and commits what follows it', async () => {
    const tenant = `ten_poison_${randomBytes(4).toString('hex')}`;
    await harness.createEndpoint(tenant, { url: receiver.url, events: [TYPE] });
    const key = `${tenant}:u1`;
    const nul = accepted(tenant, { id: 'u1', email: 'a@b.co', name: 'A\u0000B' });
    const surrogate = accepted(tenant, { id: 'u1', email: 'a@b.co', name: 'A\ud800B' });
    const valid = accepted(tenant, { id: 'u1', email: 'a@b.co', name: 'AB' });
    // One key, so all three share a partition, in this order.
    await harness.produce(topicForEventType(TYPE), [
      { key, value: encodeAcceptedEvent(nul) },
      { key, value: encodeAcceptedEvent(surrogate) },
      { key, value: encodeAcceptedEvent(valid) },
    ]);

    await receiver.waitFor(1, 30_000, (r) => bodyOf(r).id === valid.event.id);
    const dead = await consumeUntil(
      harness.kafka,
      DEAD_LETTER_TOPIC,
      (messages) =>
        [nul, surrogate].every((poison) => messages.some((m) => m.value?.includes(poison.event.id))),
      30_000,
    );
    for (const poison of [nul, surrogate]) {
      const letter = dead.find((m) => m.value?.includes(poison.event.id))!;
      expect(letter.headers['hookline-error']).toMatch(/json|Unicode|character/i);
      expect(letter.headers['hookline-source']).toMatch(new RegExp(`^${topicForEventType(TYPE)}/`));
    }
    // Neither poison event was sent: nothing about them could be recorded.
    expect(receiver.requests.filter((r) => bodyOf(r).data.id === 'u1')).toHaveLength(1);
    const partition = Number(dead[0].headers['hookline-source'].split('/')[1]);
    const offset = dead
      .find((m) => m.value?.includes(surrogate.event.id))!
      .headers['hookline-source'].split('/')[2];
    await until(
      async () => ((await committedPast(topicForEventType(TYPE), offset)) ? true : undefined),
      `a commit past ${partition}@${offset}`,
    );
    const metrics = await (await fetch(`${harness.service.url}/metrics`)).text();
    expect(metrics).toMatch(/^hookline_poison_messages_total\{[^}]*topic_kind="events"[^}]*\} 2$/m);
  });

  it('sends once when recording the outcome fails for a while after the send', async () => {
    const tenant = `ten_blip_${randomBytes(4).toString('hex')}`;
    const own = await startReceiver();
    try {
      await harness.createEndpoint(tenant, { url: own.url, events: [TYPE] });
      // The next two writes of attempts fail as a database restart makes them fail (a transient error).
      await harness.db.dataSource.query(`
        CREATE SEQUENCE attempt_writes;
        CREATE FUNCTION fail_attempt_writes() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- A sequence, not a table: the failure rolls its own transaction back.
          IF nextval('attempt_writes') <= 2 THEN
            RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER fail_attempt_writes BEFORE INSERT ON delivery_attempts
          FOR EACH ROW EXECUTE FUNCTION fail_attempt_writes();`);
      const event = await harness.publishEvent(tenant, TYPE, { id: 'u2', email: 'a@b.co', name: 'B' });
      const deliveryId = deliveryIdFor(
        event.event.id,
        (await harness.db.dataSource.query('SELECT id FROM endpoints WHERE tenant_id = $1', [tenant]))[0]
          .id as string,
        event.acceptedAt,
      );

      const recorded = await until(async () => {
        const rows: Array<{ status: string }> = await harness.db.dataSource.query(
          'SELECT status FROM deliveries WHERE id = $1 AND attempt_count = 1',
          [deliveryId],
        );
        return rows[0];
      }, 'the attempt to be recorded');
      const [{ writes }]: Array<{ writes: string }> = await harness.db.dataSource.query(
        'SELECT last_value AS writes FROM attempt_writes',
      );

      expect(Number(writes)).toBe(3);
      expect(recorded.status).toBe('succeeded');
      expect(own.requests).toHaveLength(1);
      const attempts: Array<{ n: number }> = await harness.db.dataSource.query(
        'SELECT count(*)::int AS n FROM delivery_attempts WHERE delivery_id = $1',
        [deliveryId],
      );
      expect(attempts[0].n).toBe(1);
    } finally {
      await harness.db.dataSource.query(`
        DROP TRIGGER IF EXISTS fail_attempt_writes ON delivery_attempts;
        DROP FUNCTION IF EXISTS fail_attempt_writes();
        DROP SEQUENCE IF EXISTS attempt_writes;`);
      await own.close();
    }
  });

  it('runs one retry chain when the same retry task arrives twice', async () => {
    const tenant = `ten_dup_${randomBytes(4).toString('hex')}`;
    const own = await startReceiver();
    try {
      const endpoint = await harness.createEndpoint(tenant, { url: own.url, events: [TYPE] });
      own.answerWith(() => ({ status: 503 }));
      const event = await harness.publishEvent(tenant, TYPE, { id: 'u3', email: 'a@b.co', name: 'C' });
      await own.waitFor(1, 20_000);
      const deliveryId = deliveryIdFor(event.event.id, endpoint.id, event.acceptedAt);
      await until(async () => {
        const rows: Array<{ status: string }> = await harness.db.dataSource.query(
          `SELECT status FROM deliveries WHERE id = $1 AND status = 'awaiting_retry'`,
          [deliveryId],
        );
        return rows[0];
      }, 'the first attempt to be recorded');
      own.answerWith(() => ({}));
      // Due now, so the copies are not refused as early; two messages asking for attempt 2.
      await harness.db.dataSource.query('UPDATE deliveries SET next_attempt_at = now() WHERE id = $1', [
        deliveryId,
      ]);
      const task = encodeDeliveryTask({
        kind: 'delivery',
        v: 1,
        deliveryId,
        eventId: event.event.id,
        eventType: TYPE,
        tenantId: tenant,
        endpointId: endpoint.id,
        attempt: 2,
      });
      await harness.produce(DELIVERY_TASKS_TOPIC, [
        { key: endpoint.id, value: task },
        { key: endpoint.id, value: task },
      ]);

      await own.waitFor(2, 20_000);
      await until(async () => {
        const rows: Array<{ status: string }> = await harness.db.dataSource.query(
          `SELECT status FROM deliveries WHERE id = $1 AND status = 'succeeded'`,
          [deliveryId],
        );
        return rows[0];
      }, 'attempt 2 to be recorded');
      // The duplicate is dropped once attempt 2 is recorded; the metric counts it.
      await until(async () => {
        const metrics = await (await fetch(`${harness.service.url}/metrics`)).text();
        const dropped = Number(
          /^hookline_duplicate_attempts_dropped_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0,
        );
        return dropped >= 1 ? true : undefined;
      }, 'the duplicate task to be dropped');
      expect(own.requests).toHaveLength(2);
      const attempts: Array<{ attempt_number: number }> = await harness.db.dataSource.query(
        'SELECT attempt_number FROM delivery_attempts WHERE delivery_id = $1 ORDER BY attempt_number',
        [deliveryId],
      );
      expect(attempts.map((a) => a.attempt_number)).toEqual([1, 2]);
    } finally {
      await own.close();
    }
  });

  it('gives two tenants that use the same event id each their own event', async () => {
    const tenants = [0, 1].map(() => `ten_same_${randomBytes(4).toString('hex')}`);
    const receivers = await Promise.all(tenants.map(() => startReceiver()));
    try {
      for (const [index, tenant] of tenants.entries()) {
        await harness.createEndpoint(tenant, { url: receivers[index].url, events: [TYPE] });
      }
      const id = `evt_order_${randomBytes(4).toString('hex')}`;
      for (const [index, tenant] of tenants.entries()) {
        await harness.produce(topicForEventType(TYPE), [
          {
            key: `${tenant}:order`,
            value: encodeAcceptedEvent(
              accepted(tenant, { id: `order_${index}`, email: 'a@b.co', name: 'D' }, id),
            ),
          },
        ]);
      }

      const [first, second] = await Promise.all(receivers.map((r) => r.waitFor(1, 20_000)));
      expect(bodyOf(first[0])).toMatchObject({ id, data: { id: 'order_0' } });
      expect(bodyOf(second[0])).toMatchObject({ id, data: { id: 'order_1' } });
      const rows: Array<{ tenant_id: string }> = await harness.db.dataSource.query(
        'SELECT tenant_id FROM events WHERE id = $1 ORDER BY tenant_id',
        [id],
      );
      expect(rows.map((row) => row.tenant_id)).toEqual([...tenants].sort());
    } finally {
      await Promise.all(receivers.map((r) => r.close()));
    }
  });

  it('sends nothing again for a second copy of an event it already delivered', async () => {
    const tenant = `ten_copy_${randomBytes(4).toString('hex')}`;
    const own = await startReceiver();
    try {
      await harness.createEndpoint(tenant, { url: own.url, events: [TYPE] });
      const event = accepted(tenant, { id: 'u5', email: 'a@b.co', name: 'E' });
      await harness.produce(topicForEventType(TYPE), [
        { key: `${tenant}:u5`, value: encodeAcceptedEvent(event) },
      ]);
      await own.waitFor(1, 20_000);
      // The producer republishes it (a crash before it learned the first publish succeeded), then
      // publishes something new behind it on the same partition.
      const next = accepted(tenant, { id: 'u5', email: 'a@b.co', name: 'F' });
      await harness.produce(topicForEventType(TYPE), [
        { key: `${tenant}:u5`, value: encodeAcceptedEvent(event) },
        { key: `${tenant}:u5`, value: encodeAcceptedEvent(next) },
      ]);

      await own.waitFor(2, 20_000);
      expect(own.requests.map((r) => bodyOf(r).id)).toEqual([event.event.id, next.event.id]);
    } finally {
      await own.close();
    }
  });
});
