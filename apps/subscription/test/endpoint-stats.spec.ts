import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  type AttemptRecord,
  BatchingAttemptRecorder,
  FAILURE_REASONS,
  LATENCY_BUCKET_BOUNDS_MS,
  labelledDeliveryId,
} from '@hookline/persistence';
import type { RunningSubscriptionService } from '../src/main';
import { adminClient, callMetadata, callUnary, PROTO_DIR } from './support/admin-grpc.client';
import {
  type Json,
  type SubscriptionHarness,
  startSubscription,
  type TestTenant,
} from './support/subscription.harness';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** An attempt of the endpoint that finished `agoMs` ago, with the given answer. */
function attempt(
  tenantId: string,
  endpointId: string,
  n: number,
  fields: { agoMs: number; status: number | null; errorClass?: string | null; durationMs: number },
): AttemptRecord {
  const finishedAt = new Date(Date.now() - fields.agoMs);
  const errorClass =
    fields.errorClass !== undefined
      ? fields.errorClass
      : fields.status !== null && fields.status >= 200 && fields.status < 300
        ? null
        : `http_${fields.status}`;
  return {
    sendId: `send_${endpointId}_${n}`,
    claimToken: null,
    deliveryId: labelledDeliveryId(`${endpointId}_${n}`),
    tenantId,
    endpointId,
    eventId: `evt_${endpointId}_${n}`,
    attemptNumber: 1,
    requestHeaders: {},
    customHeaderNames: [],
    statusCode: fields.status,
    responseHeaders: fields.status === null ? null : {},
    responseBody: fields.status === null ? null : '',
    durationMs: fields.durationMs,
    errorClass,
    errorMessage: errorClass,
    startedAt: new Date(finishedAt.getTime() - fields.durationMs),
    finishedAt,
    deliveryStatus: errorClass === null ? 'succeeded' : 'failed',
    nextAttemptAt: null,
  };
}

describe('endpoint statistics API (real Postgres and Kafka, REST and gRPC)', () => {
  let harness: SubscriptionHarness;
  let a: TestTenant;
  let b: TestTenant;
  let endpointId: string;
  const clients: grpc.Client[] = [];

  /** Calls `EndpointService.GetEndpointStats` with `key`. */
  function grpcStats(key: string, request: object): Promise<Json> {
    const client = adminClient('EndpointService', (harness.service as RunningSubscriptionService).grpcPort);
    clients.push(client);
    return callUnary(client, 'GetEndpointStats', request, callMetadata(`Bearer ${key}`));
  }

  beforeAll(async () => {
    harness = await startSubscription();
    a = await harness.createTenant('Stats A');
    b = await harness.createTenant('Stats B');
    const created = await a.call('POST', '/v1/webhooks', {
      url: 'https://example.com/hooks',
      events: ['user.created'],
    });
    expect(created.status).toBe(201);
    endpointId = created.body.id;

    // Recorded by the dispatcher's own recorder, as deliveries are.
    const recorder = new BatchingAttemptRecorder(harness.dataSource, { flushIntervalMs: 10 });
    const at = (n: number, fields: Parameters<typeof attempt>[3]) => attempt(a.id, endpointId, n, fields);
    const attempts = [
      // The last hour: 6 successes of 40 ms, two 500s of 120 ms, a 404, a timeout of 30 s.
      ...Array.from({ length: 6 }, (_, i) => at(i, { agoMs: 5 * MINUTE_MS, status: 200, durationMs: 40 })),
      at(10, { agoMs: 20 * MINUTE_MS, status: 500, durationMs: 120 }),
      at(11, { agoMs: 20 * MINUTE_MS, status: 500, durationMs: 120 }),
      at(12, { agoMs: 30 * MINUTE_MS, status: 404, durationMs: 15 }),
      at(13, { agoMs: 30 * MINUTE_MS, status: null, errorClass: 'timeout', durationMs: 30_000 }),
      // Earlier today, two days ago, and too long ago for any window.
      at(20, { agoMs: 3 * HOUR_MS, status: 200, durationMs: 700 }),
      at(21, { agoMs: 2 * DAY_MS, status: null, errorClass: 'connection-refused', durationMs: 2 }),
      at(22, { agoMs: 9 * DAY_MS, status: 200, durationMs: 10 }),
      // Another endpoint of the same tenant.
      attempt(a.id, 'wh_other', 1, { agoMs: MINUTE_MS, status: 200, durationMs: 10 }),
    ];
    await Promise.all(attempts.map((each) => recorder.record(each)));
    await recorder.close();
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await harness?.close();
  });

  const failures = (counts: Partial<Record<string, number>>) =>
    Object.fromEntries(FAILURE_REASONS.map((reason) => [reason, counts[reason] ?? 0]));

  it('answers the last hour in 60 one-minute buckets ending with the one under way', async () => {
    const before = Date.now();
    const answer = await a.call('GET', `/v1/webhooks/${endpointId}/stats?window=1h`);

    expect(answer.status).toBe(200);
    const stats = answer.body;
    expect(stats).toMatchObject({
      object: 'endpoint_stats',
      endpoint_id: endpointId,
      window: '1h',
      bucket_seconds: 60,
    });
    expect(stats.totals).toEqual({
      attempts: 10,
      succeeded: 6,
      failed: 4,
      success_rate: 0.6,
      p50_ms: expect.any(Number),
      p95_ms: expect.any(Number),
      mean_ms: Math.round((6 * 40 + 2 * 120 + 15 + 30_000) / 10),
      failures_by_reason: failures({ http_5xx: 2, http_4xx: 1, timeout: 1 }),
    });
    // The median falls among the 40 ms successes, in the (25, 50] ms bucket.
    expect(stats.totals.p50_ms).toBeGreaterThan(25);
    expect(stats.totals.p50_ms).toBeLessThanOrEqual(50);
    // The 95th percentile is the timeout's, in the (20, 30] s bucket.
    expect(stats.totals.p95_ms).toBeGreaterThan(20_000);
    expect(stats.totals.p95_ms).toBeLessThanOrEqual(30_000);

    expect(stats.series).toHaveLength(60);
    const end = Date.parse(stats.end);
    expect(end % MINUTE_MS).toBe(0);
    expect(end - Date.parse(stats.start)).toBe(HOUR_MS);
    expect(end).toBeGreaterThan(before);
    expect(stats.series.map((bucket: Json) => Date.parse(bucket.start))).toEqual(
      Array.from({ length: 60 }, (_, i) => Date.parse(stats.start) + i * MINUTE_MS),
    );
    // The series adds up to the totals, and empty buckets say so.
    const sum = (field: string) =>
      stats.series.reduce((total: number, bucket: Json) => total + bucket[field], 0);
    expect([sum('attempts'), sum('succeeded'), sum('failed')]).toEqual([10, 6, 4]);
    const empty = stats.series.find((bucket: Json) => bucket.attempts === 0);
    expect(empty).toMatchObject({ success_rate: null, p50_ms: null, p95_ms: null, mean_ms: null });
    expect(empty.failures_by_reason).toEqual(failures({}));
  });

  it('answers 24 hours in 96 buckets of 15 minutes, and 7 days in 84 of 2 hours; 24 hours by default', async () => {
    const day = await a.call('GET', `/v1/webhooks/${endpointId}/stats?window=24h`);
    expect(day.status).toBe(200);
    expect(day.body).toMatchObject({ window: '24h', bucket_seconds: 900 });
    expect(day.body.series).toHaveLength(96);
    expect(day.body.totals).toMatchObject({ attempts: 11, succeeded: 7, failed: 4 });

    const week = await a.call('GET', `/v1/webhooks/${endpointId}/stats?window=7d`);
    expect(week.status).toBe(200);
    expect(week.body).toMatchObject({ window: '7d', bucket_seconds: 7200 });
    expect(week.body.series).toHaveLength(84);
    expect(Date.parse(week.body.end) % (2 * HOUR_MS)).toBe(0);
    expect(week.body.totals).toMatchObject({
      attempts: 12,
      succeeded: 7,
      failed: 5,
      failures_by_reason: failures({ http_5xx: 2, http_4xx: 1, timeout: 1, connection: 1 }),
    });

    const byDefault = await a.call('GET', `/v1/webhooks/${endpointId}/stats`);
    expect(byDefault.body).toMatchObject({ window: '24h', totals: day.body.totals });
  });

  it('refuses an unknown window with 422 naming the field', async () => {
    const answer = await a.call('GET', `/v1/webhooks/${endpointId}/stats?window=2h`);
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({
      type: 'validation_error',
      fields: [{ field: 'window', message: 'must be one of 1h, 24h, 7d' }],
    });
  });

  it('answers 404 for another tenant\u2019s endpoint, exactly as for an unknown one, and 401 without a key', async () => {
    const theirs = await b.call('GET', `/v1/webhooks/${endpointId}/stats?window=7d`);
    const unknown = await b.call('GET', '/v1/webhooks/wh_01J9Z3Y8Q7XW4N2B5C6D7E8F9G/stats?window=7d');
    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(theirs.body.error.type).toBe('not_found');
    expect(theirs.body.error.message).toBe(
      unknown.body.error.message.replace('wh_01J9Z3Y8Q7XW4N2B5C6D7E8F9G', endpointId),
    );
    expect(
      (await harness.withAuthorization(undefined)('GET', `/v1/webhooks/${endpointId}/stats`)).status,
    ).toBe(401);
  });

  it('answers the same over gRPC, and NOT_FOUND to another tenant', async () => {
    const rest = (await a.call('GET', `/v1/webhooks/${endpointId}/stats?window=1h`)).body;
    const stats = await grpcStats(a.key, { endpoint_id: endpointId, window: 'ENDPOINT_STATS_WINDOW_1H' });

    expect(stats).toMatchObject({
      endpoint_id: endpointId,
      window: 'ENDPOINT_STATS_WINDOW_1H',
      bucket_seconds: 60,
    });
    expect(stats.totals).toEqual({
      attempts: '10',
      succeeded: '6',
      failed: '4',
      success_rate: rest.totals.success_rate,
      p50_ms: rest.totals.p50_ms,
      p95_ms: rest.totals.p95_ms,
      mean_ms: rest.totals.mean_ms,
      failures_by_reason: Object.fromEntries(
        Object.entries(rest.totals.failures_by_reason).map(([reason, n]) => [reason, String(n)]),
      ),
    });
    expect(stats.series).toHaveLength(60);
    // An empty bucket leaves what it cannot know unset.
    const empty = stats.series.find((bucket: Json) => bucket.counts.attempts === '0');
    expect(empty.counts).not.toHaveProperty('p50_ms');
    expect(empty.counts).not.toHaveProperty('success_rate');

    const byDefault = await grpcStats(a.key, { endpoint_id: endpointId });
    expect(byDefault).toMatchObject({ window: 'ENDPOINT_STATS_WINDOW_24H', bucket_seconds: 900 });

    for (const id of [endpointId, 'wh_01J9Z3Y8Q7XW4N2B5C6D7E8F9G']) {
      const refused = await grpcStats(b.key, { endpoint_id: id, window: 'ENDPOINT_STATS_WINDOW_7D' }).catch(
        (error: grpc.ServiceError) => error,
      );
      expect((refused as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
    }
    const missing = await grpcStats(a.key, {}).catch((error: grpc.ServiceError) => error);
    expect([(missing as grpc.ServiceError).code, (missing as grpc.ServiceError).details]).toEqual([
      grpc.status.INVALID_ARGUMENT,
      'Invalid request: endpoint_id is required',
    ]);
  });

  it('states in the .proto the histogram bounds the percentiles are estimated from', () => {
    const proto = readFileSync(join(PROTO_DIR, 'hookline/admin/v1/admin.proto'), 'utf8').replace(
      /\s*\/\/\s*/g,
      ' ',
    );
    const bounds = [...LATENCY_BUCKET_BOUNDS_MS];
    const last = bounds.pop();
    expect(proto).toContain(`bounded at ${bounds.join(', ')} and ${last} ms`);
  });
});
