import {
  BatchingAttemptRecorder,
  RESPONSE_BODY_EXCERPT_MAX_BYTES,
  runMigrations,
  type AttemptRecord,
  type DeliveryStatus,
  labelledDeliveryId,
} from '../src';
import { createEmptyDatabase, type EmptyDatabase } from './support/test-database';

const T0 = new Date('2026-01-01T00:00:00.000Z');

function attempt(
  deliveryId: string,
  attemptNumber: number,
  overrides: Partial<AttemptRecord> = {},
): AttemptRecord {
  const startedAt = new Date(T0.getTime() + attemptNumber * 1_000);
  return {
    sendId: `send_${deliveryId}_${attemptNumber}`,
    claimToken: null,
    deliveryId,
    tenantId: 'ten_1',
    endpointId: 'wh_1',
    eventId: `evt_${deliveryId}`,
    attemptNumber,
    requestHeaders: { 'content-type': 'application/json', 'webhook-id': `evt_${deliveryId}` },
    customHeaderNames: [],
    statusCode: 503,
    responseHeaders: { 'content-type': 'text/plain' },
    responseBody: 'busy',
    durationMs: 12,
    errorClass: 'http_5xx',
    errorMessage: 'endpoint answered 503',
    startedAt,
    finishedAt: new Date(startedAt.getTime() + 12),
    deliveryStatus: 'awaiting_retry',
    nextAttemptAt: new Date(startedAt.getTime() + 5_000),
    ...overrides,
  };
}

interface AttemptRow {
  delivery_id: string;
  attempt_number: number;
  status_code: number | null;
  request_headers: Record<string, string>;
  response_headers: Record<string, string> | null;
  response_body_excerpt: string | null;
  error_message: string | null;
}

interface DeliveryRow {
  id: string;
  status: DeliveryStatus;
  attempt_count: number;
  last_status_code: number | null;
  completed_at: Date | null;
  next_attempt_at: Date | null;
}

describe('BatchingAttemptRecorder', () => {
  let db: EmptyDatabase;
  let recorder: BatchingAttemptRecorder | undefined;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await runMigrations(db.dataSource);
  });

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE deliveries, delivery_attempts');
  });

  afterEach(async () => {
    await recorder?.close();
    recorder = undefined;
  });

  afterAll(async () => {
    await db?.drop();
  });

  const attemptRows = (): Promise<AttemptRow[]> =>
    db.dataSource.query('SELECT * FROM delivery_attempts ORDER BY delivery_id, attempt_number');
  const deliveryRows = (): Promise<DeliveryRow[]> =>
    db.dataSource.query('SELECT * FROM deliveries ORDER BY id');
  // Rows written by one transaction share its id (xmin): the number of distinct ones counts the batches.
  const transactionsThatWroteAttempts = async (): Promise<number> => {
    const [row]: Array<{ n: number }> = await db.dataSource.query(
      'SELECT count(DISTINCT xmin::text)::int AS n FROM delivery_attempts',
    );
    return row!.n;
  };

  it('writes attempts queued together in one batch, and flush returns once all are durable', async () => {
    recorder = new BatchingAttemptRecorder(db.dataSource, { maxBatchRows: 1_000, flushIntervalMs: 60_000 });
    const recorded: Array<Promise<void>> = [];
    for (let d = 0; d < 50; d += 1) {
      for (let n = 1; n <= 5; n += 1) {
        const last = n === 5;
        recorded.push(
          recorder.record(
            attempt(labelledDeliveryId(`${String(d).padStart(2, '0')}`), n, {
              statusCode: last ? 200 : 503,
              deliveryStatus: last ? 'succeeded' : 'awaiting_retry',
              nextAttemptAt: last ? null : T0,
            }),
          ),
        );
      }
    }
    await recorder.flush();

    expect(await attemptRows()).toHaveLength(250);
    expect(await transactionsThatWroteAttempts()).toBe(1);
    await expect(Promise.all(recorded)).resolves.toBeDefined();
    const deliveries = await deliveryRows();
    expect(deliveries).toHaveLength(50);
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({
        status: 'succeeded',
        attempt_count: 5,
        last_status_code: 200,
        next_attempt_at: null,
      });
      expect(delivery.completed_at).toEqual(new Date(T0.getTime() + 5_000 + 12));
    }
  });

  it('writes batches of at most maxBatchRows attempts', async () => {
    recorder = new BatchingAttemptRecorder(db.dataSource, { maxBatchRows: 10, flushIntervalMs: 60_000 });
    const recorded = Array.from({ length: 25 }, (_, i) =>
      recorder!.record(attempt(labelledDeliveryId(`${i}`), 1)),
    );

    await Promise.all(recorded);

    expect(await attemptRows()).toHaveLength(25);
    expect(await transactionsThatWroteAttempts()).toBe(3);
  });

  it('writes a batch on its own, without waiting for a flush', async () => {
    recorder = new BatchingAttemptRecorder(db.dataSource, { maxBatchRows: 1_000, flushIntervalMs: 60_000 });

    await Promise.all([1, 2, 3].map((n) => recorder!.record(attempt(labelledDeliveryId('timer'), n))));

    expect(await attemptRows()).toHaveLength(3);
    expect(await deliveryRows()).toEqual([
      expect.objectContaining({ id: labelledDeliveryId('timer'), attempt_count: 3 }),
    ]);
  });

  it('ignores a send recorded again, logs a re-send, and never rolls a delivery back', async () => {
    recorder = new BatchingAttemptRecorder(db.dataSource, { flushIntervalMs: 60_000 });
    const finalAttempt = attempt(labelledDeliveryId('dup'), 2, {
      statusCode: 204,
      deliveryStatus: 'succeeded',
      nextAttemptAt: null,
    });
    await Promise.all([recorder.record(attempt(labelledDeliveryId('dup'), 1)), recorder.flush()]);
    await Promise.all([recorder.record(finalAttempt), recorder.flush()]);

    // The same send recorded again (a retried write), in a later batch and within one batch.
    const again = attempt(labelledDeliveryId('dup'), 1, { statusCode: 500, errorMessage: 'written twice' });
    await Promise.all([recorder.record(again), recorder.record(again), recorder.flush()]);
    // Attempt 1 really sent a second time (after a crash): a row of its own, the delivery unchanged.
    const resend = attempt(labelledDeliveryId('dup'), 1, {
      sendId: 'send_again',
      statusCode: 500,
      errorMessage: 'resent',
    });
    await Promise.all([recorder.record(resend), recorder.flush()]);
    // A trailing attempt of the same number as the success must not undo it either.
    const trailing = attempt(labelledDeliveryId('dup'), 2, {
      sendId: 'send_trailing',
      errorMessage: 'trailing',
    });
    await Promise.all([recorder.record(trailing), recorder.flush()]);

    const attempts = await attemptRows();
    expect(
      attempts
        .map((row) => [row.attempt_number, row.status_code, row.error_message])
        .sort((a, b) => String(a).localeCompare(String(b))),
    ).toEqual([
      [1, 500, 'resent'],
      [1, 503, 'endpoint answered 503'],
      [2, 204, 'endpoint answered 503'],
      [2, 503, 'trailing'],
    ]);
    expect(await deliveryRows()).toEqual([
      expect.objectContaining({
        id: labelledDeliveryId('dup'),
        status: 'succeeded',
        attempt_count: 2,
        last_status_code: 204,
      }),
    ]);
  });

  it('stores no credentials, at most 16 KiB of body, and bodies with NUL bytes', async () => {
    recorder = new BatchingAttemptRecorder(db.dataSource, { flushIntervalMs: 60_000 });
    const longBody = `${'é'.repeat(RESPONSE_BODY_EXCERPT_MAX_BYTES)}tail`;
    await Promise.all([
      recorder.record(
        attempt(labelledDeliveryId('headers'), 1, {
          requestHeaders: {
            Authorization: 'Bearer sk_live_123',
            'X-Api-Key': 'k',
            'X-Tenant-Region': 'eu-west-customer-value',
            'webhook-id': 'evt_1',
          },
          customHeaderNames: ['x-tenant-region', 'Authorization'],
          responseHeaders: { 'Set-Cookie': 'session=abc', 'content-type': 'text/html' },
          responseBody: longBody,
        }),
      ),
      recorder.record(
        attempt(labelledDeliveryId('binary'), 1, { responseBody: 'a\u0000b', errorMessage: 'x\u0000y' }),
      ),
      recorder.flush(),
    ]);

    const [binary, headers] = await attemptRows();
    expect(headers!.request_headers).toEqual({
      Authorization: '[redacted]',
      'X-Api-Key': '[redacted]',
      // A custom header is kept by name only, whatever it is called.
      'X-Tenant-Region': '[redacted]',
      'webhook-id': 'evt_1',
    });
    expect(headers!.response_headers).toEqual({ 'Set-Cookie': '[redacted]', 'content-type': 'text/html' });
    expect(Buffer.byteLength(headers!.response_body_excerpt!, 'utf8')).toBe(RESPONSE_BODY_EXCERPT_MAX_BYTES);
    expect(longBody.startsWith(headers!.response_body_excerpt!)).toBe(true);
    expect(binary!.response_body_excerpt).toBe('a\uFFFDb');
    expect(binary!.error_message).toBe('x\uFFFDy');
  });

  it('rejects the attempts of a batch that could not be written, and flush with them', async () => {
    recorder = new BatchingAttemptRecorder(db.dataSource, { flushIntervalMs: 60_000 });
    const bad = recorder.record(attempt(labelledDeliveryId('bad'), 0));

    await expect(recorder.flush()).rejects.toThrow(/ck_delivery_attempts_attempt_number/);
    await expect(bad).rejects.toThrow(/ck_delivery_attempts_attempt_number/);
    expect(await deliveryRows()).toEqual([]);

    // The recorder keeps working after a failed batch.
    await Promise.all([recorder.record(attempt(labelledDeliveryId('good'), 1)), recorder.flush()]);
    expect(await attemptRows()).toHaveLength(1);
  });

  it('fails only the attempt the database refuses, not the others of its batch', async () => {
    recorder = new BatchingAttemptRecorder(db.dataSource, { flushIntervalMs: 60_000 });
    const before = recorder.record(attempt(labelledDeliveryId('a'), 1));
    const bad = recorder.record(attempt(labelledDeliveryId('bad'), 0));
    const after = recorder.record(attempt(labelledDeliveryId('b'), 1));

    await expect(bad).rejects.toThrow(/ck_delivery_attempts_attempt_number/);
    await expect(Promise.all([before, after])).resolves.toBeDefined();
    expect((await attemptRows()).map((row) => row.delivery_id)).toEqual([
      labelledDeliveryId('a'),
      labelledDeliveryId('b'),
    ]);
  });

  it('releases the claim of the process that recorded or deferred the attempt', async () => {
    recorder = new BatchingAttemptRecorder(db.dataSource, { flushIntervalMs: 60_000, owner: 'dispatcher-a' });
    await db.dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, next_attempt_at, claimed_by, claim_token, claimed_until)
       VALUES ($1, 'ten_1', 'wh_1', 'evt_1', 'pending', now(), 'dispatcher-a', 't/0/1', now() + interval '1 minute'),
              ($2, 'ten_1', 'wh_1', 'evt_2', 'pending', now(), 'dispatcher-b', 't/0/2', now() + interval '1 minute')`,
      [labelledDeliveryId('claimed'), labelledDeliveryId('other')],
    );
    const due = new Date(Date.now() + 30_000);
    await recorder.defer({
      deliveryId: labelledDeliveryId('claimed'),
      tenantId: 'ten_1',
      claimToken: 't/0/1',
      reason: 'deferred: circuit breaker open',
      nextAttemptAt: due,
    });
    await recorder.defer({
      deliveryId: labelledDeliveryId('other'),
      tenantId: 'ten_1',
      claimToken: 't/0/2',
      reason: 'deferred: circuit breaker open',
      nextAttemptAt: due,
    });

    const rows: Array<{
      id: string;
      claimed_by: string | null;
      last_error: string | null;
      next_attempt_at: Date;
    }> = await db.dataSource.query(
      'SELECT id, claimed_by, last_error, next_attempt_at FROM deliveries ORDER BY id',
    );
    expect(rows[0]).toMatchObject({
      id: labelledDeliveryId('claimed'),
      claimed_by: null,
      last_error: 'deferred: circuit breaker open',
    });
    expect(rows[0].next_attempt_at).toEqual(due);
    // Another process's claim is not this recorder's to release.
    expect(rows[1]).toMatchObject({
      id: labelledDeliveryId('other'),
      claimed_by: 'dispatcher-b',
      last_error: null,
    });

    await recorder.record(attempt(labelledDeliveryId('other'), 1, { claimToken: 't/0/2' }));
    const [after]: Array<{ claimed_by: string | null; claim_token: string; attempt_count: number }> =
      await db.dataSource.query(
        'SELECT claimed_by, claim_token, attempt_count FROM deliveries WHERE id = $1',
        [labelledDeliveryId('other')],
      );
    expect(after).toEqual({ claimed_by: null, claim_token: 't/0/2', attempt_count: 1 });
  });

  it('refuses attempts once closed, after writing what was queued', async () => {
    const closing = new BatchingAttemptRecorder(db.dataSource, { flushIntervalMs: 60_000 });
    const queued = closing.record(attempt(labelledDeliveryId('closing'), 1));

    await closing.close();

    await expect(queued).resolves.toBeUndefined();
    expect(await attemptRows()).toHaveLength(1);
    await expect(closing.record(attempt(labelledDeliveryId('closing'), 2))).rejects.toThrow(/closed/);
  });
});
