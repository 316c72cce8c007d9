import { randomBytes } from 'node:crypto';
import { OPERATIONAL_EVENTS_TOPIC, SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { createTestDatabase, createTestKafka, type TestDatabase } from '@hookline/testing';
import type { Kafka } from 'kafkajs';
import { labelledDeliveryId } from '@hookline/persistence';
import {
  eventually,
  recordTopics,
  type RetrySchedulerHarness,
  startRetryScheduler,
  type TopicRecorder,
} from './retry-scheduler.harness';

const TENANT = `ten_sweep_${randomBytes(4).toString('hex')}`;
const MINUTE = 60_000;
// The window is an hour cut into five parts of 12 minutes; failures are seeded well inside each
// part, so the sweeps of the next minute all see them in the same parts.
const RULE = {
  RETRY_DISABLE_AFTER: '1h',
  RETRY_DISABLE_SLICES: '5',
  RETRY_DISABLE_MIN_FAILED_SLICES: '3',
  RETRY_DISABLE_SWEEP_INTERVAL: '300ms',
};
const IN_EVERY_PART = [-57, -45, -33, -21, -6];

describe('auto-disable after sustained failure', () => {
  let db: TestDatabase;
  let kafka: Kafka;
  let recorder: TopicRecorder;
  let scheduler: RetrySchedulerHarness;
  let seededAt: number;

  const endpoint = async (name: string, options: { changedMinutesAgo?: number; active?: boolean } = {}) => {
    const id = `wh_${name}_${randomBytes(4).toString('hex')}`;
    const changed = new Date(seededAt - (options.changedMinutesAgo ?? 120) * MINUTE);
    await db.dataSource.query(
      `INSERT INTO endpoints (id, tenant_id, url, secret, active, created_at, updated_at)
       VALUES ($1, $2, 'https://example.test/hook', 'whsec_test', $3, $4, $4)`,
      [id, TENANT, options.active ?? true, changed],
    );
    return id;
  };
  /** Records one attempt `minutesAgo` before seeding, failed unless `status` is 2xx. */
  const attempt = async (endpointId: string, minutesAgo: number, status = 503) => {
    const deliveryId = labelledDeliveryId(randomBytes(6).toString('hex'));
    const at = new Date(seededAt + minutesAgo * MINUTE);
    const ok = status >= 200 && status < 300;
    await db.dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, created_at)
       VALUES ($1, $2, $3, 'evt_seeded', $4, 1, $5)`,
      [deliveryId, TENANT, endpointId, ok ? 'succeeded' : 'failed', at],
    );
    await db.dataSource.query(
      `INSERT INTO delivery_attempts (send_id, delivery_id, tenant_id, endpoint_id, event_id, attempt_number,
         status_code, duration_ms, error_class, started_at, finished_at)
       VALUES (gen_random_uuid()::text, $1, $2, $3, 'evt_seeded', 1, $4, 12, $5, $6, $6)`,
      [deliveryId, TENANT, endpointId, status, ok ? null : `http_${status}`, at],
    );
  };
  const isActive = async (id: string) =>
    (
      (await db.dataSource.query(`SELECT active FROM endpoints WHERE id = $1`, [id])) as Array<{
        active: boolean;
      }>
    )[0].active;

  beforeAll(async () => {
    db = await createTestDatabase();
    kafka = createTestKafka('auto-disable-test');
    recorder = await recordTopics(kafka, [OPERATIONAL_EVENTS_TOPIC, SUBSCRIPTION_CHANGELOG_TOPIC]);
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ($1, $1)`, [TENANT]);
  });
  afterAll(async () => {
    await scheduler?.close();
    await recorder?.stop();
    await db?.drop();
  });

  it('disables endpoints whose deliveries all failed throughout the window, and no others', async () => {
    seededAt = Date.now();
    const sustained = await endpoint('sustained');
    for (const minutes of IN_EVERY_PART) await attempt(sustained, minutes);
    // Failures in the first, a middle and the last part are spread enough.
    const spread = await endpoint('spread');
    for (const minutes of [-57, -33, -6]) await attempt(spread, minutes);

    // A large burst an hour ago, then nothing: one part of the window only.
    const burst = await endpoint('burst');
    for (let i = 0; i < 40; i += 1) await attempt(burst, -58 + i / 40);
    // Failing at both ends of the window but nowhere in between: only two parts.
    const twoEnds = await endpoint('ends');
    for (const minutes of [-57, -56, -7, -6]) await attempt(twoEnds, minutes);
    // Failing from the start of the window until a while ago, and quiet since.
    const recovered = await endpoint('quiet');
    for (const minutes of [-57, -45, -33, -21]) await attempt(recovered, minutes);
    // One success in the window is enough to keep it.
    const succeeded = await endpoint('succeeded');
    for (const minutes of IN_EVERY_PART) await attempt(succeeded, minutes);
    await attempt(succeeded, -30, 200);
    // Re-enabled (changed) ten minutes ago: the earlier failures no longer count.
    const reenabled = await endpoint('reenabled', { changedMinutesAgo: 10 });
    for (const minutes of IN_EVERY_PART) await attempt(reenabled, minutes);
    // Already disabled: nothing to do, nothing to announce.
    const disabled = await endpoint('disabled', { active: false });
    for (const minutes of IN_EVERY_PART) await attempt(disabled, minutes);

    scheduler = await startRetryScheduler({
      ...RULE,
      DATABASE_URL: db.url,
      KAFKA_LOG_LEVEL: 'nothing',
      // A tier of its own: no other test's retries are handed on from here.
      HOOKLINE_RETRY_SCHEDULE: '1013ms',
    });

    await eventually(
      'the sustained-failure endpoints to be disabled',
      async () => !(await isActive(sustained)) && !(await isActive(spread)),
    );
    // A few more sweeps run meanwhile; none of them may touch the others.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const id of [burst, twoEnds, recovered, succeeded, reenabled])
      expect([id, await isActive(id)]).toEqual([id, true]);

    const rows: Array<{ id: string; disabled_reason: string; version: number }> = await db.dataSource.query(
      `SELECT id, disabled_reason, version FROM endpoints WHERE id = ANY($1) ORDER BY id`,
      [[sustained, spread]],
    );
    expect(rows.map((row) => [row.disabled_reason, row.version])).toEqual([
      ['no delivery succeeded for 1h', 2],
      ['no delivery succeeded for 1h', 2],
    ]);

    // Each disabled endpoint is announced once: an operational event and its new snapshot.
    const events = await recorder.waitFor(
      2,
      (m) => m.topic === OPERATIONAL_EVENTS_TOPIC && m.value.tenantId === TENANT,
    );
    expect(
      events.map((m) => [m.value.type, (m.value.data as { endpoint_id: string }).endpoint_id]).sort(),
    ).toEqual(
      [
        ['endpoint.disabled', sustained],
        ['endpoint.disabled', spread],
      ].sort(),
    );
    expect(events.every((m) => m.key === TENANT)).toBe(true);
    const snapshots = await recorder.waitFor(
      2,
      (m) =>
        m.topic === SUBSCRIPTION_CHANGELOG_TOPIC &&
        (m.value.endpoint as { tenantId?: string })?.tenantId === TENANT,
    );
    expect(
      snapshots.map((m) => [m.key, (m.value.endpoint as { active: boolean; version: number }).active]).sort(),
    ).toEqual(
      [
        [spread, false],
        [sustained, false],
      ].sort(),
    );
    expect(await scheduler.metrics()).toMatch(
      /^hookline_endpoints_disabled_total\{[^}]*reason="sustained-failure"[^}]*\} 2$/m,
    );
  });
});
