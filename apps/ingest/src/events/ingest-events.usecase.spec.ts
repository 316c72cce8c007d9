import { recordEventId, ulidTime } from '@hookline/events';
import { Registry } from 'prom-client';
import type { IdempotencyStore } from '../idempotency/idempotency.store';
import type { MessagePublisher, OutboundMessage, PublishOutcome } from '../kafka/message.publisher';
import { IngestEvents, type IngestOutcome } from './ingest-events.usecase';
import { IngestMetrics } from './ingest.metrics';

/** Records what would be written; answers with `outcome`. */
class RecordingPublisher implements MessagePublisher {
  readonly calls: OutboundMessage[][] = [];
  outcome: PublishOutcome = { kind: 'published' };

  async publish(messages: readonly OutboundMessage[]): Promise<PublishOutcome> {
    this.calls.push([...messages]);
    return this.outcome;
  }
}

// Requests without idempotency keys never reach the store; one that did would fail loudly.
const noKeysExpected = new Proxy({} as IdempotencyStore, {
  get() {
    throw new Error('no idempotency key was sent, so the store must not be used');
  },
});

describe('IngestEvents (without idempotency keys)', () => {
  let publisher: RecordingPublisher;
  let registry: Registry;
  let ingest: IngestEvents;
  let ids: number;

  beforeEach(() => {
    publisher = new RecordingPublisher();
    registry = new Registry();
    ids = 0;
    ingest = new IngestEvents(
      { maxBatch: 3, createdFormat: 'unix', apiVersion: '2024-01-01' },
      {
        publisher,
        idempotency: noKeysExpected,
        metrics: new IngestMetrics(registry),
        warn: () => undefined,
        now: () => new Date('2024-01-15T10:30:00Z'),
        newEventId: () => `evt_${(ids += 1)}`,
        newRequestId: () => 'req_minted',
      },
    );
  });

  async function count(type: string, result: string): Promise<number> {
    const metric = await registry.getSingleMetric('hookline_events_ingested_total')!.get();
    return (
      metric.values.find((value) => value.labels.type === type && value.labels.result === result)?.value ?? 0
    );
  }

  it('accepts one event: publishes it, then answers with its id, type and created', async () => {
    const outcome = await ingest.execute({
      tenantId: 'ten_a',
      body: { type: 'user.created', data: { id: 'usr_1' } },
    });

    expect(outcome).toEqual({
      kind: 'accepted',
      reply: { id: 'evt_1', type: 'user.created', created: 1705314600 },
      replayed: false,
    });
    expect(publisher.calls).toHaveLength(1);
    expect(publisher.calls[0].map((message) => [message.topic, message.key])).toEqual([
      ['hookline.events.user.created', 'ten_a:usr_1'],
    ]);
    expect(JSON.parse(publisher.calls[0][0].value!.toString()).event.request).toEqual({
      id: 'req_minted',
      idempotency_key: null,
    });
    expect(await count('user.created', 'accepted')).toBe(1);
  });

  it('publishes a batch in one call, in order, and answers with every id', async () => {
    const outcome = await ingest.execute({
      tenantId: 'ten_a',
      requestId: 'req_given',
      body: {
        events: [
          { type: 'user.created', data: { id: 'usr_1' } },
          { type: 'user.deleted', data: { id: 'usr_1' } },
        ],
      },
    });

    expect(outcome).toEqual({
      kind: 'accepted',
      reply: {
        data: [
          { id: 'evt_1', type: 'user.created' },
          { id: 'evt_2', type: 'user.deleted' },
        ],
      },
      replayed: false,
    });
    expect(publisher.calls).toHaveLength(1);
    expect(publisher.calls[0].map((message) => message.topic)).toEqual([
      'hookline.events.user.created',
      'hookline.events.user.deleted',
    ]);
    expect(
      publisher.calls[0].every(
        (message) => JSON.parse(message.value!.toString()).event.request.id === 'req_given',
      ),
    ).toBe(true);
  });

  it('refuses a batch with one bad event, naming every problem by index, and publishes nothing', async () => {
    const outcome = await ingest.execute({
      tenantId: 'ten_a',
      body: [
        { type: 'user.created', data: { id: 'usr_1' } },
        { type: 'user.created', data: { id: 'usr_2', email: 'x' } },
        5,
      ],
    });

    expect(outcome).toEqual({
      kind: 'invalid',
      message: '2 of 3 events are invalid; none was accepted',
      fields: [
        { field: 'events[1].data.email', message: expect.any(String) },
        { field: 'events[2]', message: expect.any(String) },
      ],
    });
    expect(publisher.calls).toEqual([]);
    expect(await count('user.created', 'invalid')).toBe(2);
    expect(await count('unknown', 'invalid')).toBe(1);
  });

  it('refuses more events than the limit before validating any of them', async () => {
    const body = Array.from({ length: 4 }, () => ({ type: 'user.created' }));
    expect(await ingest.execute({ tenantId: 'ten_a', body })).toEqual({
      kind: 'too-many-events',
      count: 4,
      limit: 3,
    });
  });

  it('derives ids, acceptance and request id from the Kafka record, so reading it again repeats them', async () => {
    const record = { topic: 'hookline.ingest', partition: 2, offset: '77', timestampMs: 1_705_314_600_456 };
    const command = {
      tenantId: 'ten_a',
      record,
      body: [
        { type: 'user.created', data: { id: 'usr_1' } },
        { type: 'user.deleted', data: { id: 'usr_1' }, id: 'evt_own' },
      ],
    };

    const first = await ingest.execute(command);
    const again = await ingest.execute(command);

    expect(first).toEqual(again);
    expect(first).toMatchObject({
      kind: 'accepted',
      reply: {
        data: [
          { id: recordEventId(record, 0), type: 'user.created' },
          { id: 'evt_own', type: 'user.deleted' },
        ],
      },
    });
    const [firstRecords, againRecords] = publisher.calls;
    expect(againRecords.map((message) => message.value)).toEqual(
      firstRecords.map((message) => message.value),
    );
    const envelope = JSON.parse(firstRecords[0].value!.toString());
    expect(envelope.acceptedAt).toBe(record.timestampMs);
    expect(envelope.event.created).toBe(1705314600);
    expect(envelope.event.request.id).toMatch(/^req_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(ulidTime(envelope.event.request.id.slice(4))).toBe(record.timestampMs);
    // The next record gets other ids.
    await ingest.execute({ ...command, record: { ...record, offset: '78' } });
    const third = JSON.parse(publisher.calls[2][0].value!.toString());
    expect(third.event.id).not.toBe(envelope.event.id);
    expect(third.event.request.id).not.toBe(envelope.event.request.id);
  });

  it('reports Kafka as unavailable when the publish fails, and counts the events as errors', async () => {
    publisher.outcome = { kind: 'failed', reason: 'broker down', written: 'no' };
    const outcome: IngestOutcome = await ingest.execute({
      tenantId: 'ten_a',
      body: { type: 'user.created', data: { id: 'usr_1' } },
    });

    expect(outcome).toEqual({ kind: 'unavailable', dependency: 'kafka', reason: 'broker down' });
    expect(await count('user.created', 'error')).toBe(1);
    expect(await count('user.created', 'accepted')).toBe(0);
  });
});
