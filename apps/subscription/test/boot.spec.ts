import { SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import type { RunningService } from '@hookline/observability';
import { createTestDatabase, createTestKafka, type TestDatabase } from '@hookline/testing';
import { ChangelogRepublisher } from '../src/changelog/changelog.republisher';
import { loadConfig } from '../src/config';
import { bootstrap } from '../src/main';
import { decodeChanges } from './support/changelog.records';
import { ensureSubscriptionTopics, testEnvironment } from './support/subscription.harness';
import { TopicTap } from './support/topic-tap';

describe('subscription service boot', () => {
  let db: TestDatabase;
  let service: RunningService;
  let changelog: TopicTap;

  beforeAll(async () => {
    const kafka = createTestKafka('subscription-boot-test');
    await ensureSubscriptionTopics(kafka);
    db = await createTestDatabase();
    // Endpoints already in the database (e.g. a changelog topic was lost and recreated empty).
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('ten_boot', 'Boot')`);
    await db.dataSource.query(
      `INSERT INTO endpoints (id, tenant_id, url, events, secret, version)
       VALUES ('wh_boot_1', 'ten_boot', 'https://example.com/1', '{user.*}', 'secret-one-1', 3),
              ('wh_boot_2', 'ten_boot', 'https://example.com/2', '{*}', 'secret-two-2', 1)`,
    );
    changelog = await TopicTap.open(kafka, SUBSCRIPTION_CHANGELOG_TOPIC);
    service = await bootstrap(loadConfig(testEnvironment(db.url)));
  });
  afterAll(async () => {
    await service?.close();
    await db?.drop();
  });

  it('is alive, ready and exposes its metrics labelled service="subscription"', async () => {
    const healthz = await fetch(`${service.url}/healthz`);
    expect([healthz.status, await healthz.json()]).toEqual([200, { status: 'ok' }]);

    const readyz = await fetch(`${service.url}/readyz`);
    expect(await readyz.json()).toMatchObject({ status: 'ready' });
    expect(readyz.status).toBe(200);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="subscription"\} \d/m);
    expect(metrics).toMatch(/^hookline_ready\{dependency="kafka",service="subscription"\} 1$/m);
  });

  it('republishes every stored endpoint to the changelog at boot, at its stored version', async () => {
    await expect(service.app.get(ChangelogRepublisher).finished).resolves.toEqual({
      kind: 'republished',
      count: 2,
    });
    const records = (await changelog.read()).filter((record) => record.key?.startsWith('wh_boot_'));
    expect(decodeChanges(records)).toEqual([
      {
        kind: 'upsert',
        endpoint: {
          id: 'wh_boot_1',
          tenantId: 'ten_boot',
          url: 'https://example.com/1',
          events: ['user.*'],
          active: true,
          secrets: [{ secret: 'secret-one-1' }],
          headers: {},
          version: 3,
        },
      },
      { kind: 'upsert', endpoint: expect.objectContaining({ id: 'wh_boot_2', version: 1 }) },
    ]);
  });

  it('answers 404 on the operator API when no admin token is configured', async () => {
    const response = await fetch(`${service.url}/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: 'Bearer anything-at-all-long-enough', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { type: 'not_found', message: 'Cannot POST /v1/admin/tenants' },
    });
  });
});
