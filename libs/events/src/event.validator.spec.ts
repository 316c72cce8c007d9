import { findEventType } from './event.catalogue';
import { validateEventData, validateRawEvent, validateWebhookEvent } from './event.validator';
import type { ValidationResult } from './schema.compiler';

function sampleOf(type: string): Record<string, unknown> {
  const definition = findEventType(type);
  if (!definition) throw new Error(`no ${type} in catalogue`);
  return structuredClone(definition.sample) as Record<string, unknown>;
}

function errorsOf<T>(result: ValidationResult<T>) {
  if (result.ok) throw new Error('expected validation to fail');
  return result.errors;
}

describe('validateEventData', () => {
  it('rejects user data without id, naming data.id', () => {
    const { id: _id, ...data } = sampleOf('user.created');
    expect(errorsOf(validateEventData('user.created', data))).toEqual([
      { field: 'data.id', message: "must have required property 'id'" },
    ]);
  });

  it('rejects a bad email, naming data.email', () => {
    const data = { ...sampleOf('user.created'), email: 'not-an-email' };
    expect(errorsOf(validateEventData('user.created', data))).toEqual([
      { field: 'data.email', message: 'must match format "email"' },
    ]);
  });

  it('rejects a payment amount of the wrong type, naming data.amount', () => {
    const data = { ...sampleOf('payment.succeeded'), amount: '29.99' };
    expect(errorsOf(validateEventData('payment.succeeded', data))).toEqual([
      { field: 'data.amount', message: 'must be integer' },
    ]);
  });

  it('rejects a fractional amount: amounts are in minor units', () => {
    const data = { ...sampleOf('payment.refunded'), amount: 29.99 };
    expect(errorsOf(validateEventData('payment.refunded', data))).toEqual([
      { field: 'data.amount', message: 'must be integer' },
    ]);
  });

  it('names nested fields with dots and reports every problem at once', () => {
    const data = sampleOf('payment.failed');
    const method = data.payment_method as { card: Record<string, unknown> };
    method.card.exp_month = 13;
    method.card.last4 = '42';
    delete data.currency;
    const errors = errorsOf(validateEventData('payment.failed', data));
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'data.currency', message: "must have required property 'currency'" },
        { field: 'data.payment_method.card.exp_month', message: 'must be <= 12' },
        { field: 'data.payment_method.card.last4', message: 'must match pattern "^[0-9]{4}$"' },
      ]),
    );
    expect(errors).toHaveLength(3);
  });

  it('rejects an email of the wrong type', () => {
    const data = sampleOf('user.created');
    data.email = ['john@example.com'];
    expect(errorsOf(validateEventData('user.created', data))).toEqual([
      { field: 'data.email', message: 'must be string' },
    ]);
  });

  it('requires collection on document events', () => {
    const { collection: _c, ...data } = sampleOf('document.created');
    expect(errorsOf(validateEventData('document.created', data))).toEqual([
      { field: 'data.collection', message: "must have required property 'collection'" },
    ]);
  });

  it('rejects a Hackmamba-style user whose object is not "user"', () => {
    const data = { object: 'project', id: 'user_123' };
    expect(errorsOf(validateEventData('user.updated', data))).toEqual([
      { field: 'data.object', message: 'must be equal to constant' },
    ]);
  });

  it('requires id on open schemas too', () => {
    expect(errorsOf(validateEventData('backup.completed', { size_bytes: 1 }))).toEqual([
      { field: 'data.id', message: "must have required property 'id'" },
    ]);
  });

  it('keeps open objects open: unknown fields pass', () => {
    const data = { ...sampleOf('workflow.started'), priority: 'high', nested: { anything: [1, 2] } };
    expect(validateEventData('workflow.started', data).ok).toBe(true);
  });

  it('rejects data that is not an object', () => {
    expect(errorsOf(validateEventData('user.created', 'user_abc123'))).toEqual([
      { field: 'data', message: 'must be object' },
    ]);
  });

  it('rejects an unknown type, naming type', () => {
    expect(errorsOf(validateEventData('invoice.paid', { id: 'in_1' }))).toEqual([
      { field: 'type', message: 'unknown event type "invoice.paid"' },
    ]);
  });
});

describe('validateRawEvent', () => {
  it('accepts a minimal raw event and returns it unchanged', () => {
    const raw = { type: 'user.created', data: { id: 'user_1', email: 'a@example.com' } };
    expect(validateRawEvent(raw)).toEqual({ ok: true, value: raw });
  });

  it('accepts every optional field', () => {
    const raw = {
      type: 'user.updated',
      data: sampleOf('user.updated'),
      id: 'evt_test_123',
      livemode: false,
      previous_attributes: { name: 'John Doe' },
      request: { id: 'req_xyz789', idempotency_key: 'key_unique_123' },
      subject: 'user_abc123',
    };
    expect(validateRawEvent(raw).ok).toBe(true);
    expect(validateRawEvent({ ...raw, request: null }).ok).toBe(true);
  });

  it('rejects an unknown type, naming type', () => {
    expect(errorsOf(validateRawEvent({ type: 'user.exploded', data: { id: 'u' } }))).toEqual([
      { field: 'type', message: 'unknown event type "user.exploded"' },
    ]);
  });

  it('reports envelope and data problems together', () => {
    const errors = errorsOf(
      validateRawEvent({
        type: 'user.created',
        data: { email: 'nope' },
        id: 'evt_bad.id',
        livemode: 'yes',
        previousAttributes: {},
      }),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'previousAttributes', message: 'must NOT have additional properties' },
        { field: 'id', message: 'must match pattern "^evt_[A-Za-z0-9_]{1,96}$"' },
        { field: 'livemode', message: 'must be boolean' },
        { field: 'data.id', message: "must have required property 'id'" },
        { field: 'data.email', message: 'must match format "email"' },
      ]),
    );
    expect(errors).toHaveLength(5);
  });

  it('names missing type and data', () => {
    expect(errorsOf(validateRawEvent({}))).toEqual([
      { field: 'type', message: "must have required property 'type'" },
      { field: 'data', message: "must have required property 'data'" },
    ]);
  });

  it('rejects a non-object data without a duplicate type complaint', () => {
    expect(errorsOf(validateRawEvent({ type: 'user.created', data: [] }))).toEqual([
      { field: 'data', message: 'must be object' },
    ]);
  });

  it('names the value itself when it is not an object', () => {
    expect(errorsOf(validateRawEvent('user.created'))).toEqual([{ field: '$', message: 'must be object' }]);
  });

  it('checks request fields', () => {
    expect(
      errorsOf(validateRawEvent({ type: 'user.created', data: { id: 'u' }, request: { id: 7 } })),
    ).toEqual([{ field: 'request.id', message: 'must be string,null' }]);
  });
});

describe('validateWebhookEvent', () => {
  it('accepts the Appmint page envelope once pending_webhooks is added', () => {
    const event = {
      id: 'evt_1234567890abcdef',
      type: 'user.created',
      created: '2024-01-15T10:30:00Z',
      api_version: '2024-01-01',
      data: {
        id: 'user_abc123',
        email: 'user@example.com',
        name: 'John Doe',
        created_at: '2024-01-15T10:30:00Z',
        metadata: { source: 'signup_form', utm_campaign: 'winter_2024' },
      },
      previous_attributes: {},
      request: { id: 'req_xyz789', idempotency_key: 'key_unique_123' },
      livemode: true,
      pending_webhooks: 1,
    };
    expect(validateWebhookEvent(event).ok).toBe(true);
  });

  it('rejects a created with milliseconds and checks data against the type', () => {
    const event = {
      id: 'evt_1234567890',
      type: 'user.created',
      created: '2024-01-15T10:30:00.123Z',
      api_version: '2024-01-01',
      data: { object: 'user', name: 'John Doe', email: 'john@example.com' },
      previous_attributes: {},
      request: { id: 'req_1234567890', idempotency_key: null },
      livemode: false,
      pending_webhooks: 1,
    };
    expect(errorsOf(validateWebhookEvent(event))).toEqual([
      { field: 'created', message: 'must match pattern "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$"' },
      { field: 'data.id', message: "must have required property 'id'" },
    ]);
  });
});
