import { SUBSCRIPTION_CHANGELOG_TOPIC, ULID_PATTERN } from '@hookline/events';
import { endpointSealContext, openEndpointHeaders, openEndpointSnapshot } from '@hookline/persistence';
import { decodeChanges } from './support/changelog.records';
import { startSubscription, type SubscriptionHarness, type TestTenant } from './support/subscription.harness';

const WHSEC_32_BYTES = /^whsec_[A-Za-z0-9+/]{43}=$/;

describe('webhook endpoints (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;
  let tenant: TestTenant;

  beforeAll(async () => {
    harness = await startSubscription();
    tenant = await harness.createTenant('Webhooks');
  });
  afterAll(() => harness?.close());

  const register = (body: Record<string, unknown> = {}) =>
    tenant.call('POST', '/v1/webhooks', {
      url: 'https://example.com/hooks',
      events: ['user.created'],
      ...body,
    });

  describe('create', () => {
    it('registers an endpoint, generates a whsec_ secret and shows it only in the answer', async () => {
      const created = await register({ description: 'Main application webhook' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^wh_/),
        object: 'webhook_endpoint',
        url: 'https://example.com/hooks',
        events: ['user.created'],
        description: 'Main application webhook',
        metadata: {},
        headers: {},
        active: true,
        disabled_reason: null,
        disabled_at: null,
        previous_secret_expires_at: null,
        version: 1,
        created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        updated: expect.any(String),
        secret: expect.stringMatching(WHSEC_32_BYTES),
      });
      expect(ULID_PATTERN.test(created.body.id.slice(3))).toBe(true);
      expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);

      const fetched = await tenant.call('GET', `/v1/webhooks/${created.body.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).not.toHaveProperty('secret');
      const { secret: _secret, ...withoutSecret } = created.body;
      expect(fetched.body).toEqual(withoutSecret);

      const [row] = await harness.dataSource.query(
        'SELECT secret, tenant_id, version FROM endpoints WHERE id = $1',
        [created.body.id],
      );
      // Stored sealed, bound to this tenant and endpoint; the service opens it, nobody else needs to.
      expect(row).toEqual({ secret: expect.stringMatching(/^hl1:dev:/), tenant_id: tenant.id, version: 1 });
      expect(row.secret).not.toContain(created.body.secret.slice(6));
      expect(harness.sealer.open(row.secret, endpointSealContext(tenant.id, created.body.id, 'secret'))).toBe(
        created.body.secret,
      );
    });

    it('keeps a secret the caller chose', async () => {
      const created = await register({ secret: 'your-webhook-secret' });
      expect(created.status).toBe(201);
      expect(created.body.secret).toBe('your-webhook-secret');
    });

    it('accepts group wildcards, metadata, custom headers and an inactive start', async () => {
      const created = await register({
        events: ['user.*', 'payment.succeeded', '*'],
        metadata: { environment: 'production', version: '1.0' },
        headers: { 'X-Custom-Header': 'value', Authorization: 'Bearer your-api-token' },
        active: false,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        events: ['user.*', 'payment.succeeded', '*'],
        metadata: { environment: 'production', version: '1.0' },
        // Credentials are stored as given but never shown again.
        headers: { 'X-Custom-Header': 'value', Authorization: '[redacted]' },
        active: false,
        disabled_reason: 'disabled by request',
        disabled_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      });
      const [row] = await harness.dataSource.query('SELECT headers FROM endpoints WHERE id = $1', [
        created.body.id,
      ]);
      // Names in clear, every value sealed.
      expect(row.headers).toEqual({
        'X-Custom-Header': expect.stringMatching(/^hl1:dev:/),
        Authorization: expect.stringMatching(/^hl1:dev:/),
      });
      expect(JSON.stringify(row.headers)).not.toContain('your-api-token');
      expect(
        openEndpointHeaders(harness.sealer, {
          tenantId: tenant.id,
          id: created.body.id,
          headers: row.headers,
        }),
      ).toEqual({ 'X-Custom-Header': 'value', Authorization: 'Bearer your-api-token' });
    });

    it.each([
      ['a missing url', { url: undefined }, 'url', 'is required'],
      ['a relative url', { url: '/hooks' }, 'url', 'must be an absolute URL'],
      ['an http url', { url: 'http://example.com/hooks' }, 'url', 'must use https'],
      [
        'a url with a line break',
        { url: 'https://example.com/hooks\r\nX-Injected: 1' },
        'url',
        'must not contain spaces, tabs, line breaks or other control characters',
      ],
      ['a url with a tab', { url: 'https://exa\tmple.com/hooks' }, 'url', 'must not contain spaces, tabs'],
      ['a url with a space', { url: 'https://example.com/my hooks' }, 'url', 'must not contain spaces, tabs'],
      ['a url with an escape character', { url: 'https://example.com/\u001b' }, 'url', 'control characters'],
      [
        'credentials in the url',
        { url: 'https://user:pw@example.com/hooks' },
        'url',
        'must not contain credentials',
      ],
      [
        'a url over 2048 characters',
        { url: `https://example.com/${'a'.repeat(2048)}` },
        'url',
        'at most 2048',
      ],
      ['missing events', { events: undefined }, 'events', 'is required'],
      ['an empty events array', { events: [] }, 'events', 'non-empty array'],
      [
        'an unknown event type',
        { events: ['user.created', 'user.exploded'] },
        'events[1]',
        'not a known event type',
      ],
      ['a wildcard in the middle', { events: ['*.created'] }, 'events[0]', 'not a known event type'],
      ['a non-string metadata value', { metadata: { version: 1 } }, 'metadata.version', 'must be a string'],
      ['metadata that is not an object', { metadata: ['a'] }, 'metadata', 'object of string values'],
      [
        'too many metadata keys',
        { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
        'metadata',
        'at most 50 keys',
      ],
      ['a description over 500 characters', { description: 'd'.repeat(501) }, 'description', 'at most 500'],
      ['a non-boolean active', { active: 'yes' }, 'active', 'true or false'],
      ['a short secret', { secret: 'short' }, 'secret', '8 to 256'],
      ['a malformed whsec_ secret', { secret: 'whsec_not base64!' }, 'secret', 'padded base64'],
      ['an unknown field', { colour: 'blue' }, 'colour', 'is not a known field'],
      [
        'a branded header',
        { headers: { 'X-Hookline-Signature': 'forged' } },
        'headers.X-Hookline-Signature',
        'is reserved',
      ],
      [
        'a Standard Webhooks header',
        { headers: { 'webhook-id': 'msg_1' } },
        'headers.webhook-id',
        'is reserved',
      ],
      ['a User-Agent header', { headers: { 'user-agent': 'curl' } }, 'headers.user-agent', 'is reserved'],
      [
        'a Content-Type header',
        { headers: { 'Content-Type': 'text/plain' } },
        'headers.Content-Type',
        'is reserved',
      ],
      ['a Host header', { headers: { HOST: 'evil.example' } }, 'headers.HOST', 'is reserved'],
      [
        'an invalid header name',
        { headers: { 'X Custom': 'v' } },
        'headers.X Custom',
        'not a valid header name',
      ],
      [
        'a header value with a line break',
        { headers: { 'X-A': 'v\r\nX-B: injected' } },
        'headers.X-A',
        'no line breaks',
      ],
      ['a header given twice', { headers: { 'X-A': '1', 'x-a': '2' } }, 'headers.x-a', 'given twice'],
    ])('refuses %s with 422 naming the field', async (_case, overrides, field, message) => {
      const response = await register(overrides);
      expect(response.status).toBe(422);
      expect(response.body.error).toMatchObject({ type: 'validation_error' });
      expect(response.body.error.fields).toEqual([{ field, message: expect.stringContaining(message) }]);
    });

    it('accepts a literal internal address outside production; the dispatcher judges where it leads', async () => {
      const response = await register({ url: 'https://127.0.0.1:8443/hooks' });
      expect(response.status).toBe(201);
      expect(response.body.url).toBe('https://127.0.0.1:8443/hooks');
    });

    it('reports every bad field at once', async () => {
      const response = await tenant.call('POST', '/v1/webhooks', {
        url: 'ftp://x',
        events: ['nope'],
        active: 1,
      });
      expect(response.status).toBe(422);
      expect(response.body.error.fields.map((f: { field: string }) => f.field)).toEqual([
        'url',
        'events[0]',
        'active',
      ]);
    });

    it('answers 400 to a body that is not JSON', async () => {
      const response = await tenant.call('POST', '/v1/webhooks', '{"url": ');
      expect(response.status).toBe(400);
      expect(response.body.error.type).toBe('invalid_request');
    });
  });

  describe('list', () => {
    let other: TestTenant;
    let ids: string[];

    beforeAll(async () => {
      other = await harness.createTenant('Lister');
      ids = [];
      for (let i = 0; i < 5; i += 1) {
        const created = await other.call('POST', '/v1/webhooks', {
          url: `https://example.com/${i}`,
          events: ['user.created'],
        });
        ids.push(created.body.id);
      }
    });

    it('pages newest first with has_more until the last page, never repeating an item', async () => {
      const seen: string[] = [];
      const hasMore: boolean[] = [];
      let cursor: string | undefined;
      do {
        const query = cursor ? `?limit=2&starting_after=${cursor}` : '?limit=2';
        const page = await other.call('GET', `/v1/webhooks${query}`);
        expect(page.status).toBe(200);
        expect(page.body.object).toBe('list');
        seen.push(...page.body.data.map((item: { id: string }) => item.id));
        hasMore.push(page.body.has_more);
        cursor = page.body.has_more ? page.body.data.at(-1).id : undefined;
      } while (cursor);
      expect(hasMore).toEqual([true, true, false]);
      expect(seen).toEqual([...ids].reverse());
    });

    it('returns 10 by default and never another tenant\u2019s endpoints', async () => {
      const page = await other.call('GET', '/v1/webhooks');
      expect(page.body.data.map((item: { id: string }) => item.id)).toEqual([...ids].reverse());
      expect(page.body.has_more).toBe(false);
    });

    it.each(['0', '101', 'ten', '1.5'])('refuses limit=%s', async (limit) => {
      const page = await other.call('GET', `/v1/webhooks?limit=${limit}`);
      expect(page.status).toBe(422);
      expect(page.body.error.fields).toEqual([
        { field: 'limit', message: 'must be an integer from 1 to 100' },
      ]);
    });
  });

  describe('update', () => {
    it('PUT with only events changes the events and leaves everything else (the Hackmamba page)', async () => {
      const created = await register({ secret: 'your-webhook-secret', metadata: { team: 'core' } });
      const updated = await tenant.call('PUT', `/v1/webhooks/${created.body.id}`, {
        events: ['user.created', 'user.updated', 'user.deleted'],
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        url: 'https://example.com/hooks',
        events: ['user.created', 'user.updated', 'user.deleted'],
        metadata: { team: 'core' },
        version: 2,
      });
      const [row] = await harness.dataSource.query('SELECT secret FROM endpoints WHERE id = $1', [
        created.body.id,
      ]);
      expect(harness.sealer.open(row.secret, endpointSealContext(tenant.id, created.body.id, 'secret'))).toBe(
        'your-webhook-secret',
      );
    });

    it('PATCH replaces the fields given, metadata and headers as a whole', async () => {
      const created = await register({ metadata: { a: '1', b: '2' }, headers: { 'X-A': '1' } });
      const patched = await tenant.call('PATCH', `/v1/webhooks/${created.body.id}`, {
        url: 'https://new-url.com/webhooks',
        metadata: { c: '3' },
        headers: { 'X-B': '2' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        url: 'https://new-url.com/webhooks',
        metadata: { c: '3' },
        headers: { 'X-B': '2' },
      });
    });

    it('keeps the fields a generated client sends as null, [] or {}, and clears only through clear', async () => {
      const created = await register({
        description: 'Main application webhook',
        metadata: { environment: 'production' },
        headers: { 'X-Custom-Header': 'value' },
      });
      const unset = { url: null, description: null, metadata: {}, headers: {}, active: null, clear: [] };
      const put = await tenant.call('PUT', `/v1/webhooks/${created.body.id}`, {
        ...unset,
        events: ['user.created', 'user.updated'],
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        url: created.body.url,
        events: ['user.created', 'user.updated'],
        description: 'Main application webhook',
        metadata: { environment: 'production' },
        headers: { 'X-Custom-Header': 'value' },
        active: true,
        version: 2,
      });
      const patched = await tenant.call('PATCH', `/v1/webhooks/${created.body.id}`, { ...unset, events: [] });
      expect([patched.status, patched.body.version]).toEqual([200, 2]);

      const cleared = await tenant.call('PATCH', `/v1/webhooks/${created.body.id}`, {
        ...unset,
        events: [],
        clear: ['headers', 'description'],
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({
        description: null,
        metadata: { environment: 'production' },
        headers: {},
        version: 3,
      });
    });

    it('sends a fetched endpoint back unchanged without changing it or its redacted headers', async () => {
      const created = await register({ headers: { Authorization: 'Bearer t0ken', 'X-Plain': 'p' } });
      const fetched = await tenant.call('GET', `/v1/webhooks/${created.body.id}`);
      const tap = await harness.tap(SUBSCRIPTION_CHANGELOG_TOPIC);
      const put = await tenant.call('PUT', `/v1/webhooks/${created.body.id}`, fetched.body);
      expect(put.status).toBe(200);
      expect(put.body.version).toBe(1);
      const [row] = await harness.dataSource.query('SELECT headers, version FROM endpoints WHERE id = $1', [
        created.body.id,
      ]);
      expect(row.version).toBe(1);
      expect(
        openEndpointHeaders(harness.sealer, {
          tenantId: tenant.id,
          id: created.body.id,
          headers: row.headers,
        }),
      ).toEqual({ Authorization: 'Bearer t0ken', 'X-Plain': 'p' });
      // Nothing changed, so nothing was published.
      expect((await tap.read()).filter((record) => record.key === created.body.id)).toEqual([]);
    });

    it('refuses a secret in an update and points to the rotation', async () => {
      const created = await register();
      const response = await tenant.call('PATCH', `/v1/webhooks/${created.body.id}`, {
        secret: 'another-secret',
      });
      expect(response.status).toBe(422);
      expect(response.body.error.fields).toEqual([
        { field: 'secret', message: 'cannot be changed by an update; rotate the secret instead' },
      ]);
    });

    it('validates updates like registrations', async () => {
      const created = await register();
      const response = await tenant.call('PUT', `/v1/webhooks/${created.body.id}`, {
        events: ['user.exploded'],
        url: 'http://x',
      });
      expect(response.status).toBe(422);
      expect(response.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['url', 'events[0]']);
    });

    it('answers 404 for an unknown endpoint', async () => {
      const response = await tenant.call('PATCH', '/v1/webhooks/wh_123', { active: false });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: { type: 'not_found', message: 'No such webhook: wh_123' } });
    });
  });

  describe('delete', () => {
    it('deletes and then answers 404', async () => {
      const created = await register();
      const deleted = await tenant.call('DELETE', `/v1/webhooks/${created.body.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ id: created.body.id, object: 'webhook_endpoint', deleted: true });
      expect((await tenant.call('GET', `/v1/webhooks/${created.body.id}`)).status).toBe(404);
      expect((await tenant.call('DELETE', `/v1/webhooks/${created.body.id}`)).status).toBe(404);
      const rows = await harness.dataSource.query('SELECT id FROM endpoints WHERE id = $1', [
        created.body.id,
      ]);
      expect(rows).toEqual([]);
    });
  });

  describe('rotate-secret', () => {
    it('returns a new secret and keeps the old one valid for 24 hours', async () => {
      const created = await register({ secret: 'your-webhook-secret' });
      const before = Date.now();
      const rotated = await tenant.call('POST', `/v1/webhooks/${created.body.id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(WHSEC_32_BYTES);
      expect(rotated.body.version).toBe(2);
      const expiresAt = Date.parse(rotated.body.previous_secret_expires_at);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 24 * 3_600_000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000 + 1000);

      const [row] = await harness.dataSource.query(
        'SELECT secret, previous_secret FROM endpoints WHERE id = $1',
        [created.body.id],
      );
      // Both sealed, each bound to its own field: the old secret re-sealed as the previous one.
      const context = (field: 'secret' | 'previous_secret') =>
        endpointSealContext(tenant.id, created.body.id, field);
      expect(harness.sealer.open(row.secret, context('secret'))).toBe(rotated.body.secret);
      expect(harness.sealer.open(row.previous_secret, context('previous_secret'))).toBe(
        'your-webhook-secret',
      );
      expect(JSON.stringify(row)).not.toContain('your-webhook-secret');
      expect((await tenant.call('GET', `/v1/webhooks/${created.body.id}`)).body).not.toHaveProperty('secret');
    });

    it('takes a secret the caller chose and refuses the current one', async () => {
      const created = await register({ secret: 'first-secret-1' });
      const same = await tenant.call('POST', `/v1/webhooks/${created.body.id}/rotate-secret`, {
        secret: 'first-secret-1',
      });
      expect(same.status).toBe(422);
      expect(same.body.error.fields).toEqual([
        { field: 'secret', message: 'must differ from the current secret' },
      ]);
      const chosen = await tenant.call('POST', `/v1/webhooks/${created.body.id}/rotate-secret`, {
        secret: 'second-secret-2',
      });
      expect(chosen.status).toBe(200);
      expect(chosen.body.secret).toBe('second-secret-2');
    });
  });

  describe('changelog', () => {
    it('publishes every change in order with rising versions, both secrets during a rotation and a tombstone', async () => {
      const tap = await harness.tap(SUBSCRIPTION_CHANGELOG_TOPIC);
      const created = await register({ secret: 'first-secret-1', headers: { 'X-Team': 'core' } });
      const id = created.body.id;
      await tenant.call('PUT', `/v1/webhooks/${id}`, { events: ['user.*'] });
      const rotated = await tenant.call('POST', `/v1/webhooks/${id}/rotate-secret`);
      await tenant.call('PATCH', `/v1/webhooks/${id}`, { active: false });
      await tenant.call('DELETE', `/v1/webhooks/${id}`);

      const changes = decodeChanges((await tap.read()).filter((record) => record.key === id));
      expect(
        changes.map((change) => (change.kind === 'upsert' ? change.endpoint.version : 'tombstone')),
      ).toEqual([1, 2, 3, 4, 'tombstone']);
      // Sealed on the changelog; opened here as the dispatcher opens them.
      const [first, second, third, fourth] = changes.map((change) =>
        change.kind === 'upsert' ? openEndpointSnapshot(harness.sealer, change.endpoint) : undefined,
      );
      expect(JSON.stringify(changes)).not.toContain('first-secret-1');
      expect(JSON.stringify(changes)).not.toContain('core');
      expect(first).toEqual({
        id,
        tenantId: tenant.id,
        url: 'https://example.com/hooks',
        events: ['user.created'],
        active: true,
        secrets: [{ secret: 'first-secret-1' }],
        headers: { 'X-Team': 'core' },
        version: 1,
        legacyPlaintext: false,
      });
      expect(second?.events).toEqual(['user.*']);
      const previousExpiry = Date.parse(rotated.body.previous_secret_expires_at);
      expect(third?.secrets).toEqual([
        { secret: rotated.body.secret },
        { secret: 'first-secret-1', expiresAt: previousExpiry },
      ]);
      expect(fourth).toMatchObject({ active: false, version: 4 });
      expect(changes[4]).toEqual({ kind: 'deleted', endpointId: id });
    });

    it('republishes every endpoint on request, idempotently, at the versions stored', async () => {
      const created = await register();
      await tenant.call('PATCH', `/v1/webhooks/${created.body.id}`, { description: 'v2' });
      const tap = await harness.tap(SUBSCRIPTION_CHANGELOG_TOPIC);
      const first = await harness.admin('POST', '/v1/admin/endpoints/republish');
      const second = await harness.admin('POST', '/v1/admin/endpoints/republish');
      expect(first.status).toBe(200);
      expect(second.body).toEqual(first.body);
      const [{ count }] = await harness.dataSource.query('SELECT count(*)::int AS count FROM endpoints');
      expect(first.body).toEqual({ count });
      const records = await tap.read();
      expect(records).toHaveLength(2 * count);
      const mine = decodeChanges(records.filter((record) => record.key === created.body.id));
      expect(mine.map((change) => change.kind === 'upsert' && change.endpoint.version)).toEqual([2, 2]);
    });
  });

  it('counts operations and changelog records in /metrics', async () => {
    await register();
    await register({ url: 'nope' });
    const metrics = await (await fetch(`${harness.service.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^hookline_subscription_operations_total\{resource="endpoint",operation="create",result="ok",service="subscription"\} \d+/m,
    );
    expect(metrics).toMatch(
      /^hookline_subscription_operations_total\{resource="endpoint",operation="create",result="validation",service="subscription"\} \d+/m,
    );
    expect(metrics).toMatch(
      /^hookline_subscription_changelog_records_total\{kind="upsert",result="ok",service="subscription"\} \d+/m,
    );
  });
});
