import { hashApiKey } from '@hookline/tenancy';
import { startSubscription, type SubscriptionHarness } from './support/subscription.harness';

describe('operator API: tenants and API keys (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;

  beforeAll(async () => {
    harness = await startSubscription();
  });
  afterAll(() => harness?.close());

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer not-the-admin-token-at-all'],
    ['a Basic header', 'Basic YWRtaW46YWRtaW4='],
  ])('refuses %s with 401', async (_case, authorization) => {
    const response = await harness.withAuthorization(authorization)('POST', '/v1/admin/tenants', {
      name: 'x',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.body).toEqual({
      error: { type: 'unauthenticated', message: 'Missing or invalid operator token' },
    });
  });

  it('refuses a tenant API key on the operator API', async () => {
    const tenant = await harness.createTenant();
    const response = await tenant.call('GET', `/v1/admin/tenants/${tenant.id}/api-keys`);
    expect(response.status).toBe(401);
  });

  it('creates a tenant and validates its name', async () => {
    const created = await harness.admin('POST', '/v1/admin/tenants', { name: 'Acme Inc.' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^ten_[0-9A-HJKMNP-TV-Z]{26}$/),
      object: 'tenant',
      name: 'Acme Inc.',
      uid: null,
      metadata: {},
      disabled_at: null,
      disabled_reason: null,
      created: expect.any(String),
    });
    const missing = await harness.admin('POST', '/v1/admin/tenants', {});
    expect(missing.status).toBe(422);
    expect(missing.body.error.fields).toEqual([{ field: 'name', message: 'is required' }]);
  });

  it('mints a key shown once, stores only its hash and prefix, lists it by prefix and revokes it', async () => {
    const tenant = await harness.admin('POST', '/v1/admin/tenants', { name: 'Keys' });
    const minted = await harness.admin('POST', `/v1/admin/tenants/${tenant.body.id}/api-keys`, {
      name: 'production',
    });
    expect(minted.status).toBe(201);
    expect(minted.body).toEqual({
      id: expect.stringMatching(/^key_/),
      object: 'api_key',
      tenant_id: tenant.body.id,
      name: 'production',
      prefix: minted.body.key.slice(0, 12),
      created: expect.any(String),
      last_used_at: null,
      revoked_at: null,
      key: expect.stringMatching(/^hl_sk_/),
    });
    const [row] = await harness.dataSource.query('SELECT * FROM api_keys WHERE id = $1', [minted.body.id]);
    expect(row.hash).toBe(hashApiKey(minted.body.key));
    expect(Object.values(row)).not.toContain(minted.body.key);

    const defaultName = await harness.admin('POST', `/v1/admin/tenants/${tenant.body.id}/api-keys`);
    expect(defaultName.body.name).toBe('default');

    const listed = await harness.admin('GET', `/v1/admin/tenants/${tenant.body.id}/api-keys`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((key: { id: string }) => key.id)).toEqual([
      minted.body.id,
      defaultName.body.id,
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(minted.body.key);
    expect(listed.body.data[0]).not.toHaveProperty('key');

    const call = harness.withAuthorization(`Bearer ${minted.body.key}`);
    expect((await call('GET', '/v1/webhooks')).status).toBe(200);

    const revoked = await harness.admin(
      'DELETE',
      `/v1/admin/tenants/${tenant.body.id}/api-keys/${minted.body.id}`,
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    const again = await harness.admin(
      'DELETE',
      `/v1/admin/tenants/${tenant.body.id}/api-keys/${minted.body.id}`,
    );
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);

    const refused = await call('GET', '/v1/webhooks');
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({
      error: { type: 'unauthenticated', message: 'Invalid or revoked API key' },
    });
    // The other key of the tenant still works.
    expect(
      (await harness.withAuthorization(`Bearer ${defaultName.body.key}`)('GET', '/v1/webhooks')).status,
    ).toBe(200);
  });

  it('answers 404 for keys of an unknown tenant or of another tenant', async () => {
    const a = await harness.createTenant('A');
    const b = await harness.createTenant('B');
    const [{ id: keyOfA }] = await harness.dataSource.query('SELECT id FROM api_keys WHERE tenant_id = $1', [
      a.id,
    ]);
    expect((await harness.admin('POST', '/v1/admin/tenants/ten_nope/api-keys', {})).status).toBe(404);
    expect((await harness.admin('GET', '/v1/admin/tenants/ten_nope/api-keys')).status).toBe(404);
    const crossed = await harness.admin('DELETE', `/v1/admin/tenants/${b.id}/api-keys/${keyOfA}`);
    expect(crossed.status).toBe(404);
    const [row] = await harness.dataSource.query('SELECT revoked_at FROM api_keys WHERE id = $1', [keyOfA]);
    expect(row.revoked_at).toBeNull();
  });

  it.each([
    ['no header', undefined, 'Missing API key: send it as "Authorization: Bearer <key>"'],
    ['a malformed header', 'Token abc', 'Malformed Authorization header: expected "Bearer <key>"'],
    ['an unknown key', 'Bearer YOUR_API_KEY', 'Invalid or revoked API key'],
  ])('refuses tenant calls with %s', async (_case, authorization, message) => {
    const response = await harness.withAuthorization(authorization)('GET', '/v1/webhooks');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { type: 'unauthenticated', message } });
  });
});
