import { INGEST_INVALID_TOPIC, INGEST_TOPIC } from '@hookline/events';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { Registry } from 'prom-client';
import type { MessagePublisher, OutboundMessage } from '../kafka/message.publisher';
import type { TenantDirectory } from '../tenancy/tenant.directory';
import { TENANT_ID_HEADER } from './accepted-event.factory';
import { INGEST_ERROR_HEADER, IngestConsumer } from './ingest.consumer';
import type { IngestEvents, IngestOutcome } from './ingest-events.usecase';
import { IngestMetrics } from './ingest.metrics';

const record: KafkaMessage = {
  key: Buffer.from('ten_1:u1'),
  value: Buffer.from(JSON.stringify({ type: 'user.created', data: { id: 'u1' } })),
  timestamp: '1765000000000',
  attributes: 0,
  offset: '42',
  headers: { [TENANT_ID_HEADER]: Buffer.from('ten_1') },
};

function consumerWith(execute: () => Promise<IngestOutcome>) {
  const published: OutboundMessage[] = [];
  const publisher: MessagePublisher = {
    async publish(messages) {
      published.push(...messages);
      return { kind: 'published' };
    },
  };
  const consumer = new IngestConsumer(
    { groupId: 'test' },
    {
      kafka: {} as Kafka,
      ingest: { execute } as unknown as IngestEvents,
      tenants: { lookup: async () => ({ kind: 'known' }) } as unknown as TenantDirectory,
      publisher,
      metrics: new IngestMetrics(new Registry()),
      log: { warn: () => undefined, log: () => undefined },
    },
  );
  const handle = () => consumer.handle({ topic: INGEST_TOPIC, partition: 0, message: record });
  return { handle, published };
}

describe('IngestConsumer', () => {
  it('sets a record aside after a few failures nothing explains, so it does not hold up its partition', async () => {
    const { handle, published } = consumerWith(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    });

    await expect(handle()).rejects.toThrow(TypeError);
    await expect(handle()).rejects.toThrow(TypeError);
    await expect(handle()).resolves.toBeUndefined();

    expect(published).toHaveLength(1);
    expect(published[0].topic).toBe(INGEST_INVALID_TOPIC);
    expect(published[0].value).toEqual(record.value);
    expect(JSON.parse(String(published[0].headers?.[INGEST_ERROR_HEADER]))).toMatchObject({
      type: 'internal_error',
      message: expect.stringContaining('Cannot read properties of undefined'),
    });
  });

  it('reads a record again for as long as the database refuses connections, never setting it aside', async () => {
    const { handle, published } = consumerWith(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    });

    for (let i = 0; i < 5; i += 1) await expect(handle()).rejects.toThrow(/ECONNREFUSED/);
    expect(published).toHaveLength(0);
  });

  it('reads a record again for as long as a dependency is down, never setting it aside', async () => {
    const { handle, published } = consumerWith(async () => ({
      kind: 'unavailable',
      dependency: 'kafka',
      reason: 'broker unreachable',
    }));

    for (let i = 0; i < 5; i += 1) await expect(handle()).rejects.toThrow(/not handled yet/);
    expect(published).toHaveLength(0);
  });
});
