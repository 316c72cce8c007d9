import {
  decodeDeliveryTask,
  encodeDeliveryTask,
  type DeliveryAttemptTask,
  type RetryTask,
} from './delivery-task.message';

const attempt: DeliveryAttemptTask = {
  kind: 'delivery',
  v: 1,
  deliveryId: 'dlv_01HMA6Z4K3',
  eventId: 'evt_01HMA6Z4K3ZJ8XW9Q5T7C2B1N0',
  eventType: 'user.created',
  tenantId: 'tenant_1',
  endpointId: 'ep_1',
  attempt: 1,
};

const retry: RetryTask = {
  ...attempt,
  kind: 'retry',
  attempt: 2,
  dueAt: 1_705_314_660_000,
  reason: 'http 503',
};

describe('delivery task messages', () => {
  it.each([attempt, { ...attempt, dueAt: 1_705_314_600_000 }, retry])('round-trips a $kind task', (task) => {
    const bytes = encodeDeliveryTask(task);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(decodeDeliveryTask(bytes)).toEqual({ ok: true, task });
    expect(decodeDeliveryTask(bytes.toString('utf8'))).toEqual({ ok: true, task });
  });

  it('rejects an unknown version with a clear message', () => {
    const result = decodeDeliveryTask(JSON.stringify({ ...attempt, v: 2 }));
    expect(result).toEqual({
      ok: false,
      reason: 'unsupported-version',
      message: 'delivery task version 2 is not supported (known: 1)',
    });
  });

  it('rejects a missing version', () => {
    const { v: _v, ...rest } = retry;
    expect(decodeDeliveryTask(JSON.stringify(rest))).toMatchObject({
      ok: false,
      reason: 'unsupported-version',
    });
  });

  it.each([
    { ...attempt, kind: 'webhook' },
    { ...attempt, kind: undefined },
    { ...attempt, kind: 'toString' },
  ])('rejects unknown kind %#', (message) => {
    expect(decodeDeliveryTask(JSON.stringify(message))).toMatchObject({ ok: false, reason: 'unknown-kind' });
  });

  it('rejects malformed JSON and non-objects', () => {
    expect(decodeDeliveryTask('{"kind":')).toMatchObject({ ok: false, reason: 'malformed-json' });
    expect(decodeDeliveryTask('[1,2]')).toMatchObject({ ok: false, reason: 'malformed-json' });
    expect(decodeDeliveryTask('null')).toMatchObject({ ok: false, reason: 'malformed-json' });
  });

  it('names invalid fields', () => {
    const { dueAt: _dueAt, ...noDue } = retry;
    expect(decodeDeliveryTask(JSON.stringify({ ...noDue, attempt: 0 }))).toEqual({
      ok: false,
      reason: 'invalid-fields',
      message: "dueAt must have required property 'dueAt'; attempt must be >= 1",
    });
    expect(decodeDeliveryTask(JSON.stringify({ ...attempt, endpointId: '' }))).toMatchObject({
      ok: false,
      reason: 'invalid-fields',
      message: 'endpointId must NOT have fewer than 1 characters',
    });
  });

  it('tolerates unknown optional fields from a newer producer', () => {
    const result = decodeDeliveryTask(JSON.stringify({ ...attempt, traceparent: '00-abc' }));
    expect(result.ok).toBe(true);
  });

  it('refuses to encode an invalid task', () => {
    expect(() => encodeDeliveryTask({ ...attempt, attempt: 0 })).toThrow(/attempt must be >= 1/);
  });
});
