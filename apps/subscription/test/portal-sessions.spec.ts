import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { SecretKeyring } from '@hookline/sealing';
import type { RunningSubscriptionService } from '../src/main';
import { PortalTokenCodec } from '../src/portal/portal-token.codec';
import {
  adminClient,
  callMetadata,
  callUnary,
  grpcFailure,
  rpcDetail,
  rpcStatus,
} from './support/admin-grpc.client';
import { seedDelivery, seedEvent } from './support/seed';
import {
  type ApiResponse,
  type Json,
  startSubscription,
  type SubscriptionHarness,
  type TestTenant,
} from './support/subscription.harness';

const PUBLIC_URL = 'https://portal.example.test/hookline';
const FRAME_ANCESTORS = "'self' https://dashboard.example.test https://*.partner.example.test";
const INDEX_HTML =
  '<!doctype html><html><head><script type="module" src="/portal/assets/app-3f9a1c.js"></script></head><body></body></html>';
const BUNDLE = 'document.body.textContent = "portal";';

/** Sends one request with any headers; the body, when given, as JSON. */
async function send(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<ApiResponse> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a portal file): the text is the body.
  }
  return { status: response.status, body: parsed as Json, headers: response.headers };
}

/**
 * Customer portal sessions: minted by the operator (REST and gRPC), accepted by the tenant API in
 * place of an API key for exactly one tenant, read-only when asked, refused when expired or altered,
 * never by the operator API; and the portal's files served with their security headers.
 */
describe('customer portal sessions (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;
  let assetsDir: string;
  let grpcPort: number;
  let alice: TestTenant;
  let bob: TestTenant;
  let bobEndpointId: string;
  let bobDeliveryId: string;
  let bobEventId: string;
  const clients: grpc.Client[] = [];

  // Every call from a test that expects refusals comes from an address of its own (through the trusted
  // proxy), so the brake on failed authentications counts each test apart.
  let nextAddress = 10;
  const newAddress = () => `198.51.100.${nextAddress++}`;

  function grpcCall(serviceName: string, method: string, request: object, authorization: string | undefined) {
    const client = adminClient(serviceName, grpcPort);
    clients.push(client);
    return callUnary(client, method, request, callMetadata(authorization));
  }

  async function mint(tenantId: string, body?: unknown): Promise<ApiResponse> {
    return harness.admin('POST', `/v1/admin/tenants/${tenantId}/portal-sessions`, body);
  }

  async function sessionOf(tenantId: string, body: unknown = {}): Promise<string> {
    const minted = await mint(tenantId, body);
    expect(minted.status).toBe(201);
    return minted.body.token as string;
  }

  function asSession(token: string, address = newAddress()) {
    return (method: string, path: string, body?: unknown) =>
      send(
        `${harness.service.url}${path}`,
        method,
        { authorization: `Bearer ${token}`, 'x-forwarded-for': address },
        body,
      );
  }

  beforeAll(async () => {
    assetsDir = mkdtempSync(join(tmpdir(), 'hookline-portal-'));
    mkdirSync(join(assetsDir, 'assets'));
    writeFileSync(join(assetsDir, 'index.html'), INDEX_HTML);
    writeFileSync(join(assetsDir, 'assets', 'app-3f9a1c.js'), BUNDLE);
    writeFileSync(join(assetsDir, 'assets', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    harness = await startSubscription({
      PORTAL_PUBLIC_URL: `${PUBLIC_URL}/`,
      PORTAL_FRAME_ANCESTORS: FRAME_ANCESTORS,
      PORTAL_SESSION_MAX_TTL: '2h',
      PORTAL_ASSETS_DIR: assetsDir,
      AUTH_TRUSTED_PROXIES: '127.0.0.1',
      AUTH_BRAKE_FAILURES: '4',
    });
    grpcPort = (harness.service as RunningSubscriptionService).grpcPort;
    alice = await harness.createTenant('Alice');
    bob = await harness.createTenant('Bob');
    await alice.call('POST', '/v1/webhooks', { url: 'https://alice.example/hooks', events: ['*'] });
    const created = await bob.call('POST', '/v1/webhooks', {
      url: 'https://bob.example/hooks',
      events: ['user.created'],
      description: 'bob private',
    });
    bobEndpointId = created.body.id;
    ({ id: bobEventId } = await seedEvent(harness.dataSource, { tenantId: bob.id }));
    bobDeliveryId = await seedDelivery(harness.dataSource, {
      tenantId: bob.id,
      endpointId: bobEndpointId,
      eventId: bobEventId,
    });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await harness?.close();
    rmSync(assetsDir, { recursive: true, force: true });
  });

  describe('minting', () => {
    it('answers 201 with the session, its token and the portal link carrying it in the fragment', async () => {
      const before = Date.now();
      const minted = await mint(alice.id);
      expect(minted.status).toBe(201);
      expect(minted.body).toEqual({
        id: expect.stringMatching(/^ps_[0-9A-Z]{26}$/),
        tenant_id: alice.id,
        read_only: false,
        url: `${PUBLIC_URL}/portal/#session=${minted.body.token}`,
        token: expect.stringMatching(/^hlp_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/),
        expires_at: expect.any(String),
      });
      // One hour by default.
      const expiresAt = Date.parse(minted.body.expires_at);
      expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3_600_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
      const claims = JSON.parse(
        Buffer.from(minted.body.token.slice(4).split('.')[0], 'base64url').toString(),
      );
      expect(claims).toEqual({ sid: minted.body.id, tenant: alice.id, ro: false, exp: expiresAt / 1000 });
    });

    it('mints read-only sessions and sessions of a chosen length, up to PORTAL_SESSION_MAX_TTL', async () => {
      const minted = await mint(alice.id, { read_only: true, ttl_seconds: 7200 });
      expect(minted.status).toBe(201);
      expect(minted.body.read_only).toBe(true);
      expect(Date.parse(minted.body.expires_at) - Date.now()).toBeGreaterThan(7_100_000);
      // null is "not given", as everywhere in the API.
      const defaults = await mint(alice.id, { read_only: null, ttl_seconds: null });
      expect([defaults.status, defaults.body.read_only]).toEqual([201, false]);
    });

    it('names every bad field (422), and answers 404 for an unknown tenant', async () => {
      const bad = await mint(alice.id, { read_only: 'yes', ttl_seconds: 7201, scope: 'all' });
      expect(bad.status).toBe(422);
      expect(bad.body.error.type).toBe('validation_error');
      expect(bad.body.error.fields).toEqual(
        expect.arrayContaining([
          { field: 'read_only', message: 'must be a boolean' },
          { field: 'ttl_seconds', message: 'must be an integer from 60 to 7200' },
          { field: 'scope', message: 'is not a known field' },
        ]),
      );
      for (const ttl of [59, 1.5, '600'])
        expect((await mint(alice.id, { ttl_seconds: ttl })).body.error.fields).toEqual([
          { field: 'ttl_seconds', message: 'must be an integer from 60 to 7200' },
        ]);
      const unknown = await mint('ten_NOPE', {});
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: { type: 'not_found', message: 'No such tenant: ten_NOPE' } });
    });

    it('is operator-only: no token, an API key or a portal token answer 401', async () => {
      const token = await sessionOf(alice.id);
      const address = newAddress();
      for (const authorization of [undefined, `Bearer ${alice.key}`, `Bearer ${token}`]) {
        const headers: Record<string, string> = { 'x-forwarded-for': address };
        if (authorization) headers.authorization = authorization;
        const response = await send(
          `${harness.service.url}/v1/admin/tenants/${alice.id}/portal-sessions`,
          'POST',
          headers,
          {},
        );
        expect(response.status).toBe(401);
        expect(response.body.error.type).toBe('unauthenticated');
      }
    });

    it('mints over gRPC (OperatorService.CreatePortalSession) with the same fields and rules', async () => {
      const admin = `Bearer ${harness.adminToken}`;
      const session = await grpcCall(
        'OperatorService',
        'CreatePortalSession',
        { tenant_id: bob.id, read_only: true, ttl_seconds: 600 },
        admin,
      );
      expect(session).toEqual({
        id: expect.stringMatching(/^ps_/),
        tenant_id: bob.id,
        read_only: true,
        url: `${PUBLIC_URL}/portal/#session=${session.token}`,
        token: expect.stringMatching(/^hlp_/),
        expires_at: { seconds: expect.any(String), nanos: 0 },
      });
      expect(Number(session.expires_at.seconds) * 1000 - Date.now()).toBeLessThanOrEqual(600_000);
      expect((await asSession(session.token)('GET', '/v1/webhooks')).status).toBe(200);
      const defaults = await grpcCall('OperatorService', 'CreatePortalSession', { tenant_id: bob.id }, admin);
      expect(defaults.read_only).toBe(false);

      const invalid = await grpcFailure(
        grpcCall('OperatorService', 'CreatePortalSession', { tenant_id: bob.id, ttl_seconds: 10 }, admin),
      );
      expect(invalid.code).toBe(grpc.status.INVALID_ARGUMENT);
      const violations = rpcDetail(rpcStatus(invalid).details[0], 'BadRequest').field_violations;
      expect(violations).toEqual([
        { field: 'ttl_seconds', description: 'must be an integer from 60 to 7200' },
      ]);
      const missing = await grpcFailure(grpcCall('OperatorService', 'CreatePortalSession', {}, admin));
      expect([missing.code, missing.details]).toEqual([
        grpc.status.INVALID_ARGUMENT,
        'Invalid request: tenant_id is required',
      ]);
      const unknown = await grpcFailure(
        grpcCall('OperatorService', 'CreatePortalSession', { tenant_id: 'ten_NOPE' }, admin),
      );
      expect([unknown.code, unknown.details]).toEqual([grpc.status.NOT_FOUND, 'No such tenant: ten_NOPE']);
      // The operator service never takes a portal token.
      const asTenant = await grpcFailure(
        grpcCall('OperatorService', 'CreatePortalSession', { tenant_id: bob.id }, `Bearer ${session.token}`),
      );
      expect(asTenant.code).toBe(grpc.status.UNAUTHENTICATED);
    });
  });

  describe('using a session', () => {
    it('acts for its own tenant only: another tenant\u2019s endpoints, deliveries and events are not found', async () => {
      const call = asSession(await sessionOf(alice.id));
      const listed = await call('GET', '/v1/webhooks');
      expect(listed.status).toBe(200);
      expect(listed.body.data.map((endpoint: Json) => endpoint.url)).toEqual(['https://alice.example/hooks']);
      const notFound = (resource: string, id: string) => ({
        status: 404,
        body: { error: { type: 'not_found', message: `No such ${resource}: ${id}` } },
      });
      for (const [path, resource, id] of [
        [`/v1/webhooks/${bobEndpointId}`, 'webhook', bobEndpointId],
        [`/v1/webhooks/${bobEndpointId}/deliveries`, 'webhook', bobEndpointId],
        [`/v1/webhooks/${bobEndpointId}/stats?window=24h`, 'webhook', bobEndpointId],
        [`/v1/deliveries/${bobDeliveryId}`, 'delivery', bobDeliveryId],
        [`/v1/events/${bobEventId}`, 'event', bobEventId],
      ]) {
        const response = await call('GET', path);
        expect({ path, status: response.status, body: response.body }).toEqual({
          path,
          ...notFound(resource, id),
        });
      }
      const events = await call('GET', '/v1/events');
      expect(events.body.data).toEqual([]);
      const changed = await call('PATCH', `/v1/webhooks/${bobEndpointId}`, { description: 'mine now' });
      expect(changed.status).toBe(404);
      const [row] = await harness.dataSource.query('SELECT description FROM endpoints WHERE id = $1', [
        bobEndpointId,
      ]);
      expect(row.description).toBe('bob private');
      expect(JSON.stringify([listed.body, events.body])).not.toContain(bob.id);
    });

    it('a full session may change its tenant\u2019s endpoints', async () => {
      const call = asSession(await sessionOf(alice.id));
      const created = await call('POST', '/v1/webhooks', {
        url: 'https://alice.example/second',
        events: ['*'],
      });
      expect(created.status).toBe(201);
      expect((await call('DELETE', `/v1/webhooks/${created.body.id}`)).status).toBe(200);
    });

    it('a read-only session reads, and is refused (403, naming why) on every other method, changing nothing', async () => {
      const call = asSession(await sessionOf(bob.id, { read_only: true }));
      expect((await call('GET', `/v1/webhooks/${bobEndpointId}`)).status).toBe(200);
      expect((await call('HEAD', `/v1/webhooks/${bobEndpointId}`)).status).toBe(200);
      const before = await harness.dataSource.query('SELECT * FROM endpoints WHERE tenant_id = $1', [bob.id]);
      for (const [method, path, body] of [
        ['POST', '/v1/webhooks', { url: 'https://bob.example/more', events: ['*'] }],
        ['DELETE', `/v1/webhooks/${bobEndpointId}`, undefined],
        ['PATCH', `/v1/webhooks/${bobEndpointId}`, { active: false }],
        ['POST', `/v1/webhooks/${bobEndpointId}/rotate-secret`, undefined],
        ['POST', `/v1/deliveries/${bobDeliveryId}/redeliver`, undefined],
      ] as const) {
        const response = await call(method, path, body);
        expect({ call: `${method} ${path}`, status: response.status, body: response.body }).toEqual({
          call: `${method} ${path}`,
          status: 403,
          body: {
            error: {
              type: 'forbidden',
              message: `This portal session is read-only: ${method} is not allowed`,
            },
          },
        });
      }
      expect(
        await harness.dataSource.query('SELECT * FROM endpoints WHERE tenant_id = $1', [bob.id]),
      ).toEqual(before);
    });

    it('refuses expired, altered and foreign-key tokens with 401, like a bad API key', async () => {
      const call = (token: string) => asSession(token)('GET', '/v1/webhooks');
      const codec = new PortalTokenCodec(harness.config.secretKeys);
      const expired = codec.mint({
        sid: 'ps_X',
        tenant: alice.id,
        ro: false,
        exp: Math.floor(Date.now() / 1000) - 1,
      });
      expect((await call(expired)).body).toEqual({
        error: { type: 'unauthenticated', message: 'The portal session has expired' },
      });
      const token = await sessionOf(alice.id, { read_only: true });
      const [payload, mac] = token.slice(4).split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const widened = Buffer.from(JSON.stringify({ ...claims, ro: false, tenant: bob.id })).toString(
        'base64url',
      );
      // Signed with a key this deployment does not hold.
      const foreign = new PortalTokenCodec(SecretKeyring.of([{ kid: 'other', key: randomBytes(32) }])).mint(
        claims,
      );
      const refusals = [`hlp_${widened}.${mac}`, `${token.slice(0, -3)}AAA`, foreign, 'hlp_garbage'];
      for (const refused of refusals) {
        const response = await call(refused);
        expect({
          status: response.status,
          body: response.body,
          auth: response.headers.get('www-authenticate'),
        }).toEqual({
          status: 401,
          body: { error: { type: 'unauthenticated', message: 'Invalid portal session token' } },
          auth: 'Bearer',
        });
      }
    });

    it('counts refused tokens on the authentication brake: 429 once the address reached the limit', async () => {
      const address = newAddress();
      const forged = `hlp_${Buffer.from('{}').toString('base64url')}.${'A'.repeat(43)}`;
      for (let attempt = 0; attempt < 4; attempt += 1)
        expect((await asSession(forged, address)('GET', '/v1/webhooks')).status).toBe(401);
      const braked = await asSession(forged, address)('GET', '/v1/webhooks');
      expect(braked.status).toBe(429);
      expect(braked.body.error.type).toBe('rate_limited');
      expect(Number(braked.headers.get('retry-after'))).toBeGreaterThan(0);
      // So does a bad API key from there: one brake for every credential.
      expect(
        (
          await send(`${harness.service.url}/v1/webhooks`, 'GET', {
            authorization: `Bearer hl_sk_${'x'.repeat(43)}`,
            'x-forwarded-for': address,
          })
        ).status,
      ).toBe(429);
      // A valid session is no guess: it still works from the braked address.
      expect((await asSession(await sessionOf(alice.id), address)('GET', '/v1/webhooks')).status).toBe(200);
    });

    it('is accepted by the tenant gRPC services too, read-only sessions on Get*/List* only', async () => {
      const readOnly = `Bearer ${await sessionOf(bob.id, { read_only: true })}`;
      const listed = await grpcCall('EndpointService', 'ListEndpoints', {}, readOnly);
      expect(listed.endpoints.map((endpoint: Json) => endpoint.id)).toEqual([bobEndpointId]);
      const refused = await grpcFailure(
        grpcCall('EndpointService', 'DeleteEndpoint', { id: bobEndpointId }, readOnly),
      );
      expect([refused.code, refused.details]).toEqual([
        grpc.status.PERMISSION_DENIED,
        'This portal session is read-only: DeleteEndpoint is not allowed',
      ]);
      const alices = `Bearer ${await sessionOf(alice.id)}`;
      const other = await grpcFailure(
        grpcCall('EndpointService', 'GetEndpoint', { id: bobEndpointId }, alices),
      );
      expect([other.code, other.details]).toEqual([
        grpc.status.NOT_FOUND,
        `No such webhook: ${bobEndpointId}`,
      ]);
      const expired = new PortalTokenCodec(harness.config.secretKeys).mint({
        sid: 'ps_X',
        tenant: bob.id,
        ro: false,
        exp: Math.floor(Date.now() / 1000) - 1,
      });
      const refusedExpired = await grpcFailure(
        grpcCall('EndpointService', 'ListEndpoints', {}, `Bearer ${expired}`),
      );
      expect(refusedExpired.code).toBe(grpc.status.UNAUTHENTICATED);
    });

    it('is never accepted by the operator API', async () => {
      const call = asSession(await sessionOf(alice.id));
      for (const [method, path] of [
        ['POST', '/v1/admin/tenants'],
        ['GET', `/v1/admin/tenants/${alice.id}/api-keys`],
        ['POST', `/v1/admin/tenants/${alice.id}/api-keys`],
      ]) {
        const response = await call(method, path, method === 'POST' ? { name: 'x' } : undefined);
        expect({ path, status: response.status, type: response.body.error.type }).toEqual({
          path,
          status: 401,
          type: 'unauthenticated',
        });
      }
    });
  });

  describe('the portal\u2019s files', () => {
    const get = (path: string) => send(`${harness.service.url}${path}`, 'GET');

    it('serves the page at /portal/ (and /portal, by a redirect), not cached, with the configured frame ancestors', async () => {
      const redirect = await fetch(`${harness.service.url}/portal?x=1`, { redirect: 'manual' });
      expect([redirect.status, redirect.headers.get('location')]).toEqual([301, 'portal/?x=1']);
      for (const path of ['/portal/', '/portal', '/portal/?tab=deliveries']) {
        const page = await get(path);
        expect({ path, status: page.status, body: page.body }).toEqual({
          path,
          status: 200,
          body: INDEX_HTML,
        });
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect(page.headers.get('cache-control')).toBe('no-cache');
        expect(page.headers.get('x-content-type-options')).toBe('nosniff');
        expect(page.headers.get('referrer-policy')).toBe('no-referrer');
        const csp = page.headers.get('content-security-policy') ?? '';
        expect(csp.split('; ')).toEqual(
          expect.arrayContaining([
            "default-src 'self'",
            `frame-ancestors ${FRAME_ANCESTORS}`,
            "object-src 'none'",
          ]),
        );
        expect(csp).not.toContain('unsafe-inline');
      }
    });

    it('serves hashed bundles as immutable, and 404 (JSON) for files that do not exist or leave the folder', async () => {
      const bundle = await get('/portal/assets/app-3f9a1c.js');
      expect([bundle.status, bundle.body]).toEqual([200, BUNDLE]);
      expect(bundle.headers.get('content-type')).toMatch(/javascript/);
      expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(bundle.headers.get('content-security-policy')).toContain(`frame-ancestors ${FRAME_ANCESTORS}`);
      // A file without a content hash in its name is revalidated.
      const icon = await get('/portal/assets/favicon.svg');
      expect([icon.status, icon.headers.get('content-type'), icon.headers.get('cache-control')]).toEqual([
        200,
        'image/svg+xml',
        'no-cache',
      ]);
      for (const path of [
        '/portal/assets/missing-0000.js',
        '/portal/assets/page',
        '/portal/missing.css',
        '/portal/webhooks',
        '/portal/..%2f..%2fpackage.json',
        '/portal/%2e%2e/%2e%2e/package.json',
        '/portal/.env',
      ]) {
        const response = await get(path);
        expect({ path, status: response.status, type: response.body?.error?.type }).toEqual({
          path,
          status: 404,
          type: 'not_found',
        });
      }
    });
  });
});

describe('customer portal without PORTAL_PUBLIC_URL and without a build (real Postgres and Kafka)', () => {
  let harness: SubscriptionHarness;

  beforeAll(async () => {
    harness = await startSubscription({ PORTAL_ASSETS_DIR: join(tmpdir(), 'hookline-portal-never-built') });
  });
  afterAll(() => harness?.close());

  it('links to the portal at the origin the operator\u2019s request reached', async () => {
    const tenant = await harness.createTenant();
    const minted = await harness.admin('POST', `/v1/admin/tenants/${tenant.id}/portal-sessions`);
    expect(minted.status).toBe(201);
    expect(minted.body.url).toBe(`${harness.service.url}/portal/#session=${minted.body.token}`);
  });

  it('answers 404 with a JSON error saying the portal is not built, with its security headers', async () => {
    const response = await send(`${harness.service.url}/portal/`, 'GET');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      error: {
        type: 'not_found',
        message: 'The customer portal is not built: its files are not installed on this service',
      },
    });
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
  });
});
