import { SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { decodeChanges } from './support/changelog.records';
import { type Json, startSubscription, type SubscriptionHarness } from './support/subscription.harness';

/**
 * Tenants as the platform's customers, over REST: list (cursor paging, `disabled` filter), get by id
 * or uid, update, disable / enable, delete with its endpoints (changelog tombstones) and keys; every
 * `/v1/admin/tenants/{id}…` route takes the uid too.
 */
describe('tenant administration over REST (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;

  beforeAll(async () => {
    harness = await startSubscription();
  });
  afterAll(() => harness?.close());

  const uniqueUid = (() => {
    let next = 0;
    return (base: string) => `${base}-${Date.now().toString(36)}-${next++}`;
  })();

  async function createTenant(body: Json) {
    const created = await harness.admin('POST', '/v1/admin/tenants', body);
    expect(created.status).toBe(201);
    return created.body;
  }

  it('creates a tenant with a uid and metadata, and reads it by id and by uid', async () => {
    const uid = uniqueUid('cus');
    const tenant = await createTenant({ name: 'Acme', uid, metadata: { plan: 'pro' } });
    expect(tenant).toEqual({
      id: expect.stringMatching(/^ten_/),
      object: 'tenant',
      name: 'Acme',
      uid,
      metadata: { plan: 'pro' },
      disabled_at: null,
      disabled_reason: null,
      created: expect.anything(),
    });
    const byId = await harness.admin('GET', `/v1/admin/tenants/${tenant.id}`);
    const byUid = await harness.admin('GET', `/v1/admin/tenants/${uid}`);
    expect(byId.status).toBe(200);
    expect(byUid).toMatchObject({ status: 200, body: byId.body });
  });

  it('updates name, uid and metadata; a uid taken by another tenant is refused naming the field', async () => {
    const first = await createTenant({ name: 'First', uid: uniqueUid('first') });
    const second = await createTenant({ name: 'Second' });
    const newUid = uniqueUid('renamed');
    const updated = await harness.admin('PATCH', `/v1/admin/tenants/${second.id}`, {
      name: 'Second Inc.',
      uid: newUid,
      metadata: { tier: 'gold' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Second Inc.', uid: newUid, metadata: { tier: 'gold' } });
    const clash = await harness.admin('PATCH', `/v1/admin/tenants/${newUid}`, { uid: first.uid });
    expect(clash.status).toBe(422);
    expect(clash.body.error.fields).toEqual([
      { field: 'uid', message: expect.stringContaining('another tenant') },
    ]);
    const cleared = await harness.admin('PATCH', `/v1/admin/tenants/${newUid}`, { uid: null });
    expect(cleared.body.uid).toBeNull();
    expect((await harness.admin('GET', `/v1/admin/tenants/${newUid}`)).status).toBe(404);
  });

  it('refuses invalid input with 422 naming each field', async () => {
    const bad = await harness.admin('POST', '/v1/admin/tenants', {
      name: '',
      uid: 'ten_01J9Z3Y8Q7XW4N2B5C6D7E8F9G',
      metadata: 'x',
      color: 'red',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.map((field: Json) => field.field).sort()).toEqual([
      'color',
      'metadata',
      'name',
      'uid',
    ]);
    const spaced = await harness.admin('POST', '/v1/admin/tenants', { name: 'x', uid: 'has space' });
    expect(spaced.status).toBe(422);
    expect(spaced.body.error.fields).toEqual([{ field: 'uid', message: expect.any(String) }]);
    const list = await harness.admin('GET', '/v1/admin/tenants?limit=0&disabled=maybe');
    expect(list.status).toBe(422);
    expect(list.body.error.fields.map((field: Json) => field.field).sort()).toEqual(['disabled', 'limit']);
  });

  it('answers 404 for a tenant that does not exist, on every tenant route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/admin/tenants/ten_01J9Z3Y8Q7XW4N2B5C6D7E8F9G'],
      ['GET', '/v1/admin/tenants/nobody'],
      ['PATCH', '/v1/admin/tenants/nobody'],
      ['POST', '/v1/admin/tenants/nobody/disable'],
      ['POST', '/v1/admin/tenants/nobody/enable'],
      ['DELETE', '/v1/admin/tenants/nobody'],
      ['GET', '/v1/admin/tenants/nobody/api-keys'],
    ]) {
      const answer = await harness.admin(method, path, method === 'PATCH' ? { name: 'x' } : undefined);
      expect([method, path, answer.status]).toEqual([method, path, 404]);
    }
  });

  it('lists tenants newest first with cursor paging, and filters on disabled', async () => {
    const made = [];
    for (let index = 0; index < 3; index += 1) made.push(await createTenant({ name: `Paged ${index}` }));
    const first = await harness.admin('GET', '/v1/admin/tenants?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.object).toBe('list');
    expect(first.body.data.map((tenant: Json) => tenant.id)).toEqual([made[2].id, made[1].id]);
    expect(first.body.has_more).toBe(true);
    const next = await harness.admin('GET', `/v1/admin/tenants?limit=1&starting_after=${made[1].id}`);
    expect(next.body.data.map((tenant: Json) => tenant.id)).toEqual([made[0].id]);

    await harness.admin('POST', `/v1/admin/tenants/${made[1].id}/disable`, { reason: 'unpaid' });
    const disabled = await harness.admin('GET', '/v1/admin/tenants?disabled=true&limit=100');
    expect(disabled.body.data.map((tenant: Json) => tenant.id)).toEqual([made[1].id]);
    const enabled = await harness.admin('GET', '/v1/admin/tenants?disabled=false&limit=100');
    expect(enabled.body.data.map((tenant: Json) => tenant.id)).not.toContain(made[1].id);
    await harness.admin('POST', `/v1/admin/tenants/${made[1].id}/enable`);
  });

  it('accepts the uid on every existing tenant route', async () => {
    const uid = uniqueUid('routes');
    const tenant = await createTenant({ name: 'Routes', uid });
    const minted = await harness.admin('POST', `/v1/admin/tenants/${uid}/api-keys`, { name: 'by-uid' });
    expect(minted.status).toBe(201);
    expect(minted.body.tenant_id).toBe(tenant.id);
    const listed = await harness.admin('GET', `/v1/admin/tenants/${uid}/api-keys`);
    expect(listed.body.data.map((key: Json) => key.id)).toEqual([minted.body.id]);
    const revoked = await harness.admin('DELETE', `/v1/admin/tenants/${uid}/api-keys/${minted.body.id}`);
    expect(revoked.body.revoked_at).not.toBeNull();
    const retention = await harness.admin('PUT', `/v1/admin/tenants/${uid}/retention`, { retention_days: 7 });
    expect(retention.body).toEqual({ object: 'tenant_retention', tenant_id: tenant.id, retention_days: 7 });
    const session = await harness.admin('POST', `/v1/admin/tenants/${uid}/portal-sessions`, {});
    expect(session.status).toBe(201);
    expect(session.body.tenant_id).toBe(tenant.id);
    const expunge = await harness.admin('POST', `/v1/admin/tenants/${uid}/events/evt_missing/expunge`);
    expect(expunge.status).toBe(404);
    expect(expunge.body.error.message).toContain('evt_missing');
  });

  it('disables a tenant: its key and portal session answer 403 tenant_disabled; enabling restores them', async () => {
    const tenant = await harness.createTenant('Disabled soon');
    const session = await harness.admin('POST', `/v1/admin/tenants/${tenant.id}/portal-sessions`, {});
    const asSession = harness.withAuthorization(`Bearer ${session.body.token}`);
    await tenant.call('POST', '/v1/webhooks', { url: 'https://disabled.example/hooks', events: ['*'] });

    const disabled = await harness.admin('POST', `/v1/admin/tenants/${tenant.id}/disable`, {
      reason: 'unpaid',
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ disabled_at: expect.any(String), disabled_reason: 'unpaid' });
    for (const call of [tenant.call, asSession]) {
      const refused = await call('GET', '/v1/webhooks');
      expect(refused.status).toBe(403);
      expect(refused.body.error.type).toBe('tenant_disabled');
    }
    // Its endpoints are kept as they were.
    const [endpoint] = await harness.dataSource.query('SELECT active FROM endpoints WHERE tenant_id = $1', [
      tenant.id,
    ]);
    expect(endpoint.active).toBe(true);

    const enabled = await harness.admin('POST', `/v1/admin/tenants/${tenant.id}/enable`);
    expect(enabled.body).toMatchObject({ disabled_at: null, disabled_reason: null });
    expect((await tenant.call('GET', '/v1/webhooks')).status).toBe(200);
    expect((await asSession('GET', '/v1/webhooks')).status).toBe(200);
  });

  it('deletes a tenant by uid: its endpoints (a tombstone each on the changelog), its keys and sessions go', async () => {
    const uid = uniqueUid('gone');
    const created = await createTenant({ name: 'Leaving', uid });
    const key = await harness.admin('POST', `/v1/admin/tenants/${uid}/api-keys`, {});
    const call = harness.withAuthorization(`Bearer ${key.body.key}`);
    const session = await harness.admin('POST', `/v1/admin/tenants/${uid}/portal-sessions`, {});
    const asSession = harness.withAuthorization(`Bearer ${session.body.token}`);
    const endpointIds: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const endpoint = await call('POST', '/v1/webhooks', {
        url: `https://gone.example/${index}`,
        events: ['*'],
      });
      expect(endpoint.status).toBe(201);
      endpointIds.push(endpoint.body.id);
    }
    const tap = await harness.tap(SUBSCRIPTION_CHANGELOG_TOPIC);

    const deleted = await harness.admin('DELETE', `/v1/admin/tenants/${uid}`);
    expect(deleted).toMatchObject({
      status: 200,
      body: { id: created.id, object: 'tenant', deleted: true, endpoints_deleted: 3 },
    });

    const changes = decodeChanges(
      (await tap.read()).filter((record) => endpointIds.includes(record.key ?? '')),
    );
    expect(changes).toEqual(
      expect.arrayContaining(endpointIds.map((endpointId) => ({ kind: 'deleted', endpointId }))),
    );
    expect(changes).toHaveLength(3);
    expect(
      await harness.dataSource.query('SELECT id FROM endpoints WHERE tenant_id = $1', [created.id]),
    ).toEqual([]);
    expect(
      await harness.dataSource.query('SELECT id FROM api_keys WHERE tenant_id = $1', [created.id]),
    ).toEqual([]);
    expect((await harness.admin('GET', `/v1/admin/tenants/${created.id}`)).status).toBe(404);
    expect((await call('GET', '/v1/webhooks')).status).toBe(401);
    expect((await asSession('GET', '/v1/webhooks')).status).toBe(401);
  });
});
