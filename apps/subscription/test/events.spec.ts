import { catalogue } from '@hookline/events';
import { seedEvent } from './support/seed';
import { startSubscription, type SubscriptionHarness, type TestTenant } from './support/subscription.harness';

describe('event types and stored events (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;
  let tenant: TestTenant;
  const seeded: Array<{ id: string; type: string; payload: Record<string, unknown> }> = [];

  beforeAll(async () => {
    harness = await startSubscription();
    tenant = await harness.createTenant('Events');
    const other = await harness.createTenant('Other');
    const types = [
      'user.created',
      'user.updated',
      'payment.succeeded',
      'file.processing.completed',
      'user.deleted',
    ];
    for (const [index, type] of types.entries()) {
      seeded.push(
        await seedEvent(harness.dataSource, {
          tenantId: tenant.id,
          type,
          // A producer-chosen id on one of them: lists must not rely on ids sorting by time.
          id: index === 2 ? 'evt_1234567890' : undefined,
          createdAt: new Date(Date.parse('2024-01-10T00:00:00Z') + index * 3_600_000),
        }),
      );
    }
    await seedEvent(harness.dataSource, { tenantId: other.id, type: 'user.created' });
  });
  afterAll(() => harness?.close());

  const listedIds = (body: { data: Array<{ id: string }> }) => body.data.map((item) => item.id);

  it('lists the catalogue with each type\u2019s group, description and schema', async () => {
    const response = await tenant.call('GET', '/v1/event-types');
    expect(response.status).toBe(200);
    expect(response.body.object).toBe('list');
    expect(response.body.data).toHaveLength(catalogue.length);
    expect(response.body.data.map((item: { type: string }) => item.type)).toEqual(
      catalogue.map((d) => d.type),
    );
    const user = response.body.data.find((item: { type: string }) => item.type === 'user.created');
    expect(user).toEqual({
      type: 'user.created',
      object: 'event_type',
      group: 'user',
      category: 'authentication',
      description: 'A new user is created',
      schema: JSON.parse(JSON.stringify(catalogue[0].schema)),
      sample: JSON.parse(JSON.stringify(catalogue[0].sample)),
    });
  });

  it('pages the tenant\u2019s events newest first, only its own', async () => {
    const seen: string[] = [];
    const hasMore: boolean[] = [];
    let cursor = '';
    for (;;) {
      const page = await tenant.call('GET', `/v1/events?limit=2${cursor ? `&starting_after=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...listedIds(page.body));
      hasMore.push(page.body.has_more);
      if (!page.body.has_more) break;
      cursor = page.body.data.at(-1).id;
    }
    expect(hasMore).toEqual([true, true, false]);
    expect(seen).toEqual(seeded.map((event) => event.id).reverse());
  });

  it('returns each stored envelope as it was delivered', async () => {
    const page = await tenant.call('GET', '/v1/events?limit=1');
    expect(page.body.data).toEqual([seeded[4].payload]);
    const one = await tenant.call('GET', `/v1/events/${seeded[2].id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(seeded[2].payload);
  });

  it.each([
    ['type=user.created', [0]],
    ['type=user.*', [4, 1, 0]],
    ['type=file.*', [3]],
    ['type=*', [4, 3, 2, 1, 0]],
    ['created[gte]=2024-01-10T01:00:00Z&created[lte]=2024-01-10T03:00:00Z', [3, 2, 1]],
    [`created[gte]=${Date.parse('2024-01-10T03:00:00Z') / 1000}`, [4, 3]],
    ['created[lte]=2024-01-10T00:30:00%2B00:30', [0]],
  ])('filters with %s', async (query, indexes) => {
    const page = await tenant.call('GET', `/v1/events?${query}`);
    expect(page.status).toBe(200);
    expect(listedIds(page.body)).toEqual(indexes.map((index) => seeded[index].id));
  });

  it.each([
    ['type=user.exploded', 'type'],
    ['created[gte]=2024-13-01', 'created[gte]'],
    ['created[lte]=2024-01-10T10:00:00', 'created[lte]'],
    ['limit=0', 'limit'],
    ['starting_after=evt_unknown', 'starting_after'],
  ])('refuses %s naming %s', async (query, field) => {
    const page = await tenant.call('GET', `/v1/events?${query}`);
    expect(page.status).toBe(422);
    expect(page.body.error.fields.map((f: { field: string }) => f.field)).toEqual([field]);
  });

  it('answers 404 for an unknown event', async () => {
    const response = await tenant.call('GET', '/v1/events/evt_missing');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { type: 'not_found', message: 'No such event: evt_missing' } });
  });
});
