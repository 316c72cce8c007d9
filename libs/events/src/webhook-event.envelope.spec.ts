import { validateWebhookEvent } from './event.validator';
import { renderCreated, renderWebhookEvent } from './webhook-event.envelope';

describe('renderCreated', () => {
  it('renders the Hackmamba page example as unix seconds', () => {
    expect(renderCreated(new Date('2022-01-01T00:00:00Z'), 'unix')).toBe(1640995200);
  });

  it('renders the Appmint page example as ISO 8601 without milliseconds', () => {
    expect(renderCreated(new Date('2024-01-15T10:30:00Z'), 'iso8601')).toBe('2024-01-15T10:30:00Z');
  });

  it('drops sub-second precision in both formats so they name the same second', () => {
    const date = new Date('2024-01-15T10:30:00.999Z');
    expect(renderCreated(date, 'iso8601')).toBe('2024-01-15T10:30:00Z');
    expect(renderCreated(date, 'unix')).toBe(1705314600);
    expect(new Date((renderCreated(date, 'unix') as number) * 1000).toISOString()).toBe(
      '2024-01-15T10:30:00.000Z',
    );
  });

  it('refuses an invalid date', () => {
    expect(() => renderCreated(new Date('nonsense'), 'unix')).toThrow(RangeError);
  });
});

describe('renderWebhookEvent', () => {
  const fields = {
    id: 'evt_1234567890abcdef',
    type: 'user.created',
    createdAt: new Date('2024-01-15T10:30:00Z'),
    apiVersion: '2024-01-01',
    data: { id: 'user_abc123', email: 'user@example.com', name: 'John Doe' },
    request: { id: 'req_xyz789', idempotency_key: 'key_unique_123' },
  };

  it('renders the Appmint-style envelope with every field, in a fixed order', () => {
    const event = renderWebhookEvent(fields, 'iso8601');
    expect(event).toEqual({
      id: 'evt_1234567890abcdef',
      type: 'user.created',
      created: '2024-01-15T10:30:00Z',
      api_version: '2024-01-01',
      data: fields.data,
      previous_attributes: {},
      request: { id: 'req_xyz789', idempotency_key: 'key_unique_123' },
      livemode: true,
      pending_webhooks: 1,
    });
    expect(Object.keys(event)).toEqual([
      'id',
      'type',
      'created',
      'api_version',
      'data',
      'previous_attributes',
      'request',
      'livemode',
      'pending_webhooks',
    ]);
    expect(validateWebhookEvent(event).ok).toBe(true);
  });

  it('renders the Hackmamba-style envelope with unix created and a partial request', () => {
    const event = renderWebhookEvent(
      {
        ...fields,
        id: 'evt_1234567890',
        createdAt: new Date(1640995200 * 1000),
        data: { object: 'user', id: 'user_123', name: 'John Doe', email: 'john@example.com' },
        request: { id: 'req_1234567890' },
        livemode: false,
      },
      'unix',
    );
    expect(event.created).toBe(1640995200);
    expect(event.request).toEqual({ id: 'req_1234567890', idempotency_key: null });
    expect(event.livemode).toBe(false);
    expect(validateWebhookEvent(event).ok).toBe(true);
  });

  it('renders a missing request as null', () => {
    const { request: _request, ...rest } = fields;
    const event = renderWebhookEvent(rest, 'unix');
    expect(event.request).toBeNull();
    expect(validateWebhookEvent(event).ok).toBe(true);
  });
});
