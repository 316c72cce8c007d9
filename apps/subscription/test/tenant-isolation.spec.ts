import { DELIVERY_TASKS_TOPIC, SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { seedDelivery, seedEvent } from './support/seed';
import { startSubscription, type SubscriptionHarness, type TestTenant } from './support/subscription.harness';

/**
 * With two tenants, every call on the other tenant's ids answers exactly what a call on an id that
 * does not exist answers, and changes nothing: not the database, not the changelog, not the tasks.
 */
describe('tenant isolation (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;
  let mallory: TestTenant;
  let victim: TestTenant;
  let endpointId: string;
  let deliveryId: string;
  let eventId: string;

  beforeAll(async () => {
    harness = await startSubscription();
    mallory = await harness.createTenant('Mallory');
    victim = await harness.createTenant('Victim');
    const created = await victim.call('POST', '/v1/webhooks', {
      url: 'https://victim.example/hooks',
      events: ['user.created'],
      headers: { 'X-Team': 'core' },
    });
    endpointId = created.body.id;
    ({ id: eventId } = await seedEvent(harness.dataSource, { tenantId: victim.id }));
    deliveryId = await seedDelivery(harness.dataSource, {
      tenantId: victim.id,
      endpointId,
      eventId,
      status: 'failed',
      createdAt: new Date('2024-01-05T00:00:00Z'),
    });
    // Mallory's own endpoint, so her list and recover calls have something of hers to work on.
    await mallory.call('POST', '/v1/webhooks', { url: 'https://mallory.example/hooks', events: ['*'] });
  });
  afterAll(() => harness?.close());

  async function victimState() {
    const endpoints = await harness.dataSource.query(
      'SELECT * FROM endpoints WHERE tenant_id = $1 ORDER BY id',
      [victim.id],
    );
    const deliveries = await harness.dataSource.query(
      'SELECT * FROM deliveries WHERE tenant_id = $1 ORDER BY id',
      [victim.id],
    );
    const events = await harness.dataSource.query('SELECT * FROM events WHERE tenant_id = $1 ORDER BY id', [
      victim.id,
    ]);
    return { endpoints, deliveries, events };
  }

  const notFound = (resource: string, id: string) => ({
    status: 404,
    body: { error: { type: 'not_found', message: `No such ${resource}: ${id}` } },
  });

  it('answers 404 to every read and write on another tenant\u2019s ids, exactly as for unknown ids, and changes nothing', async () => {
    const before = await victimState();
    const changelog = await harness.tap(SUBSCRIPTION_CHANGELOG_TOPIC);
    const tasks = await harness.tap(DELIVERY_TASKS_TOPIC);

    const calls: Array<[string, string, unknown, string, string]> = [
      ['GET', `/v1/webhooks/${endpointId}`, undefined, 'webhook', endpointId],
      ['PUT', `/v1/webhooks/${endpointId}`, { events: ['*'] }, 'webhook', endpointId],
      ['PATCH', `/v1/webhooks/${endpointId}`, { active: false }, 'webhook', endpointId],
      ['DELETE', `/v1/webhooks/${endpointId}`, undefined, 'webhook', endpointId],
      ['POST', `/v1/webhooks/${endpointId}/rotate-secret`, undefined, 'webhook', endpointId],
      ['POST', `/v1/webhooks/${endpointId}/test`, undefined, 'webhook', endpointId],
      [
        'POST',
        `/v1/webhooks/${endpointId}/recover`,
        { since: '2024-01-01T00:00:00Z' },
        'webhook',
        endpointId,
      ],
      ['GET', `/v1/webhooks/${endpointId}/deliveries`, undefined, 'webhook', endpointId],
      ['GET', `/v1/webhooks/${endpointId}/stats?window=7d`, undefined, 'webhook', endpointId],
      ['GET', `/v1/deliveries/${deliveryId}`, undefined, 'delivery', deliveryId],
      ['POST', `/v1/deliveries/${deliveryId}/redeliver`, undefined, 'delivery', deliveryId],
      ['GET', `/v1/events/${eventId}`, undefined, 'event', eventId],
    ];
    for (const [method, path, body, resource, id] of calls) {
      const response = await mallory.call(method, path, body);
      expect({ call: `${method} ${path}`, status: response.status, body: response.body }).toEqual({
        call: `${method} ${path}`,
        ...notFound(resource, id),
      });
      // The same call on an id that exists nowhere answers the same way.
      const unknownId = `${id}X`;
      const unknown = await mallory.call(method, path.replace(id, unknownId), body);
      expect({ status: unknown.status, body: unknown.body }).toEqual(notFound(resource, unknownId));
    }

    const listed = await mallory.call('GET', '/v1/webhooks');
    expect(listed.body.data.map((item: { id: string }) => item.id)).not.toContain(endpointId);
    const events = await mallory.call('GET', '/v1/events');
    expect(events.body.data).toEqual([]);
    expect((await mallory.call('GET', `/v1/events?starting_after=${eventId}`)).status).toBe(422);

    expect(await victimState()).toEqual(before);
    const victimRecords = (records: Array<{ key: string | null; value: string | null }>) =>
      records.filter((record) => record.key === endpointId || record.value?.includes(victim.id));
    expect(victimRecords(await changelog.read())).toEqual([]);
    expect(victimRecords(await tasks.read())).toEqual([]);

    // The victim still has full use of it.
    expect((await victim.call('GET', `/v1/webhooks/${endpointId}`)).status).toBe(200);
    expect((await victim.call('GET', `/v1/deliveries/${deliveryId}`)).status).toBe(200);
  });
});
