import { decodeAcceptedEvent } from '@hookline/events';
import { acceptedEventMessage, acceptEvent, eventRecordKey } from './accepted-event.factory';

const context = {
  tenantId: 'ten_acme',
  acceptedAt: new Date('2024-01-15T10:30:00.750Z'),
  createdFormat: 'iso8601' as const,
  apiVersion: '2024-01-01',
  requestId: 'req_header',
  idempotencyKey: 'key_unique_123',
};

describe('acceptEvent', () => {
  it('fills everything the producer left out', () => {
    const accepted = acceptEvent({ type: 'user.created', data: { id: 'usr_1' } }, 'evt_1', context);
    expect(accepted).toEqual({
      kind: 'event',
      v: 1,
      tenantId: 'ten_acme',
      acceptedAt: context.acceptedAt.getTime(),
      event: {
        id: 'evt_1',
        type: 'user.created',
        created: '2024-01-15T10:30:00Z',
        api_version: '2024-01-01',
        data: { id: 'usr_1' },
        previous_attributes: {},
        request: { id: 'req_header', idempotency_key: 'key_unique_123' },
        livemode: true,
      },
    });
  });

  it('keeps what the producer gave, including an explicit request: null', () => {
    const accepted = acceptEvent(
      {
        type: 'user.updated',
        data: { id: 'usr_1' },
        livemode: false,
        previous_attributes: { name: 'Old' },
        request: { id: 'req_own' },
      },
      'evt_2',
      { ...context, createdFormat: 'unix' },
    );
    expect(accepted.event).toMatchObject({
      created: 1705314600,
      livemode: false,
      previous_attributes: { name: 'Old' },
      request: { id: 'req_own', idempotency_key: 'key_unique_123' },
    });
    expect(
      acceptEvent({ type: 'user.created', data: { id: 'u' }, request: null }, 'evt_3', context).event.request,
    ).toBeNull();
  });
});

describe('eventRecordKey', () => {
  it('keys by tenant and subject, then data.id, then the event id', () => {
    expect(eventRecordKey('ten_a', { type: 't', data: { id: 'usr_1' }, subject: 'org_1' }, 'evt_1')).toBe(
      'ten_a:org_1',
    );
    expect(eventRecordKey('ten_a', { type: 't', data: { id: 'usr_1' } }, 'evt_1')).toBe('ten_a:usr_1');
    expect(eventRecordKey('ten_a', { type: 't', data: { id: 42 } }, 'evt_1')).toBe('ten_a:evt_1');
  });
});

describe('acceptedEventMessage', () => {
  it('writes a decodable accepted event to the per-type topic with routing headers', () => {
    const raw = { type: 'user.created', data: { id: 'usr_1' } };
    const message = acceptedEventMessage(acceptEvent(raw, 'evt_1', context), raw);
    expect(message).toMatchObject({
      topic: 'hookline.events.user.created',
      key: 'ten_acme:usr_1',
      headers: {
        'content-type': 'application/json',
        'hookline-tenant-id': 'ten_acme',
        'hookline-event-type': 'user.created',
        'hookline-event-id': 'evt_1',
      },
    });
    expect(decodeAcceptedEvent(message.value!)).toMatchObject({ ok: true, value: { tenantId: 'ten_acme' } });
  });
});
