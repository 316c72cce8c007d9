import type { Kafka } from 'kafkajs';
import { createIngestProducer, ingestKey } from './ingest.producer';

describe('ingestKey', () => {
  it('keys by tenant and subject when a subject is given', () => {
    expect(ingestKey({ type: 'user.updated', data: { id: 'usr_1' }, subject: 'org_9' }, 'acme')).toBe(
      'acme:org_9',
    );
  });

  it('falls back to data.id, which every event carries', () => {
    expect(ingestKey({ type: 'user.updated', data: { id: 'usr_1' } }, 'acme')).toBe('acme:usr_1');
  });

  it('keeps tenants apart even for the same subject', () => {
    const event = { type: 'user.updated', data: { id: 'usr_1' } };
    expect(ingestKey(event, 'acme')).not.toBe(ingestKey(event, 'globex'));
  });
});

describe('createIngestProducer', () => {
  it('refuses to build a producer that would send events without a tenant', () => {
    const kafka = { producer: () => ({}) } as unknown as Kafka;
    expect(() => createIngestProducer(kafka, { tenantId: '' })).toThrow(/tenantId/);
    expect(() => createIngestProducer(kafka, undefined as never)).toThrow(/tenantId/);
  });
});
