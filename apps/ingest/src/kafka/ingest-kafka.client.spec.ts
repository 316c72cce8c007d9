import type { KafkaLogRecord } from '@hookline/kafka';
import { Partitioners } from 'kafkajs';
import { createIngestKafka } from './ingest-kafka.client';

describe('createIngestKafka', () => {
  it('drops only the warning about the deliberate retry bound', () => {
    const seen: KafkaLogRecord[] = [];
    const kafka = createIngestKafka(
      {
        brokers: ['127.0.0.1:1'],
        clientId: 'test',
        connectionTimeoutMs: 100,
        requestTimeoutMs: 100,
        logLevel: 'warn',
      },
      { log: (record) => seen.push(record) },
    );
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 3 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    kafka.logger().warn('something else worth seeing');
    expect(seen.map((record) => record.message)).toEqual(['something else worth seeing']);
  });
});
