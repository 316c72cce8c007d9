import * as grpc from '@grpc/grpc-js';
import { SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { createTestKafka } from '@hookline/testing';
import { grpcFailure } from './support/admin-grpc.client';
import { decodeChanges } from './support/changelog.records';
import { fieldViolations, type GrpcAdminHarness, startGrpcAdmin } from './support/grpc-admin.harness';
import { apiClient, type Json } from './support/subscription.harness';
import { TopicTap } from './support/topic-tap';

/**
 * Operator keys beside the bootstrap admin token (REST and gRPC): minted and shown once, listed with
 * their last use, accepted on both transports, refused once revoked; and the gRPC twins of tenant
 * administration.
 */
describe('operator keys and gRPC tenant administration (real Postgres and Kafka)', () => {
  let harness: GrpcAdminHarness;
  let admin: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    harness = await startGrpcAdmin();
    admin = apiClient(harness.service.url, `Bearer ${harness.adminToken}`);
  });
  afterAll(() => harness?.close());

  it('mints a key over REST (shown once), which works on REST and gRPC until revoked', async () => {
    const minted = await admin('POST', '/v1/admin/operator-keys', { name: 'ci-deploy' });
    expect(minted.status).toBe(201);
    expect(minted.body).toEqual({
      id: expect.stringMatching(/^opk_/),
      object: 'operator_key',
      name: 'ci-deploy',
      prefix: minted.body.key.slice(0, 12),
      key: expect.stringMatching(/^hlo_sk_[A-Za-z0-9_-]{43}$/),
      created: expect.anything(),
      last_used_at: null,
      revoked_at: null,
    });
    const stored = await harness.db.dataSource.query('SELECT hash FROM operator_keys WHERE id = $1', [
      minted.body.id,
    ]);
    expect(stored[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(minted.body.key);

    const withKey = apiClient(harness.service.url, `Bearer ${minted.body.key}`);
    const created = await withKey('POST', '/v1/admin/tenants', { name: 'By operator key' });
    expect(created.status).toBe(201);
    const viaGrpc = await harness.caller(`Bearer ${minted.body.key}`)('OperatorService', 'GetTenant', {
      id: created.body.id,
    });
    expect(viaGrpc.name).toBe('By operator key');

    const listed = await admin('GET', '/v1/admin/operator-keys');
    const mine = listed.body.data.find((key: Json) => key.id === minted.body.id);
    expect(mine).toMatchObject({ name: 'ci-deploy', last_used_at: expect.any(String), revoked_at: null });
    expect(JSON.stringify(listed.body)).not.toContain(minted.body.key);

    const revoked = await admin('DELETE', `/v1/admin/operator-keys/${minted.body.id}`);
    expect(revoked.body.revoked_at).not.toBeNull();
    const refused = await withKey('GET', '/v1/admin/tenants');
    expect(refused.status).toBe(401);
    const refusedGrpc = await grpcFailure(
      harness.caller(`Bearer ${minted.body.key}`)('OperatorService', 'ListTenants'),
    );
    expect(refusedGrpc.code).toBe(grpc.status.UNAUTHENTICATED);
    // The bootstrap token keeps working.
    expect((await admin('GET', '/v1/admin/tenants')).status).toBe(200);
    expect((await admin('DELETE', '/v1/admin/operator-keys/opk_missing')).status).toBe(404);
  });

  it('mints, lists and revokes over gRPC; a tenant API key is no operator key', async () => {
    const minted = await harness.operator('OperatorService', 'MintOperatorKey', { name: 'grpc-ops' });
    expect(minted.key).toMatch(/^hlo_sk_/);
    const asKey = harness.caller(`Bearer ${minted.key}`);
    await asKey('OperatorService', 'ListTenants');
    const listed = await harness.operator('OperatorService', 'ListOperatorKeys');
    const mine = listed.operator_keys.find((key: Json) => key.id === minted.operator_key.id);
    expect(mine.last_used_at).not.toBeNull();
    await harness.operator('OperatorService', 'RevokeOperatorKey', { id: minted.operator_key.id });
    expect((await grpcFailure(asKey('OperatorService', 'ListTenants'))).code).toBe(
      grpc.status.UNAUTHENTICATED,
    );

    const nameless = await grpcFailure(harness.operator('OperatorService', 'MintOperatorKey', { name: '' }));
    expect(fieldViolations(nameless)).toEqual([{ field: 'name', description: 'is required' }]);

    const tenant = await harness.newTenant('Plain tenant');
    const refused = await apiClient(harness.service.url, `Bearer ${tenant.key}`)('GET', '/v1/admin/tenants');
    expect(refused.status).toBe(401);
  });

  it('creates, reads by uid, updates, disables, enables and deletes tenants over gRPC', async () => {
    const uid = `grpc-${Date.now().toString(36)}`;
    const created = await harness.operator('OperatorService', 'CreateTenant', {
      name: 'Grpc Co',
      uid,
      metadata: { plan: 'pro' },
    });
    expect(created).toMatchObject({ uid, metadata: { plan: 'pro' }, disabled_at: null });
    const read = await harness.operator('OperatorService', 'GetTenant', { id: uid });
    expect(read.id).toBe(created.id);

    const renamed = await harness.operator('OperatorService', 'UpdateTenant', {
      id: uid,
      name: 'Grpc Corp',
      update_mask: { paths: ['name', 'metadata'] },
    });
    expect(renamed).toMatchObject({ name: 'Grpc Corp', uid, metadata: {} });
    const badMask = await grpcFailure(
      harness.operator('OperatorService', 'UpdateTenant', { id: uid, update_mask: { paths: ['color'] } }),
    );
    expect(fieldViolations(badMask).map((violation) => violation.field)).toEqual(['update_mask.paths[0]']);

    const key = await harness.operator('OperatorService', 'MintApiKey', { tenant_id: uid });
    expect(key.api_key.tenant_id).toBe(created.id);
    const asTenant = harness.caller(`Bearer ${key.key}`);
    const endpoint = await asTenant('EndpointService', 'CreateEndpoint', {
      url: 'https://grpc.example/hooks',
      events: ['*'],
    });

    const disabled = await harness.operator('OperatorService', 'DisableTenant', { id: uid, reason: 'audit' });
    expect(disabled).toMatchObject({ disabled_reason: 'audit', disabled_at: expect.anything() });
    const denied = await grpcFailure(asTenant('EndpointService', 'ListEndpoints'));
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    const page = await harness.operator('OperatorService', 'ListTenants', { disabled: true });
    expect(page.tenants.map((tenant: Json) => tenant.id)).toEqual([created.id]);
    await harness.operator('OperatorService', 'EnableTenant', { id: uid });
    await asTenant('EndpointService', 'ListEndpoints');

    const tap = await TopicTap.open(createTestKafka('operator-keys-test'), SUBSCRIPTION_CHANGELOG_TOPIC);
    const deleted = await harness.operator('OperatorService', 'DeleteTenant', { id: uid });
    expect(deleted).toEqual({ id: created.id, deleted: true, endpoints_deleted: 1 });
    const changes = decodeChanges((await tap.read()).filter((record) => record.key === endpoint.endpoint.id));
    expect(changes).toEqual([{ kind: 'deleted', endpointId: endpoint.endpoint.id }]);
    expect((await grpcFailure(asTenant('EndpointService', 'ListEndpoints'))).code).toBe(
      grpc.status.UNAUTHENTICATED,
    );
    expect((await grpcFailure(harness.operator('OperatorService', 'GetTenant', { id: uid }))).code).toBe(
      grpc.status.NOT_FOUND,
    );
  });
});
