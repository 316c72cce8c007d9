import { createTestDatabase, type TestDatabase } from '@hookline/testing';
import { ApiKeyAuthenticator, mintApiKey } from '../src';

describe('ApiKeyAuthenticator (real Postgres)', () => {
  let db: TestDatabase;
  const minted = mintApiKey();
  let clock = 1_000_000;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('ten_a', 'A')`);
    await db.dataSource.query(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, hash) VALUES ('key_a', 'ten_a', 'main', $1, $2)`,
      [minted.prefix, minted.hash],
    );
  });
  afterAll(() => db.drop());

  it('resolves a valid key to its tenant and refuses others', async () => {
    const auth = new ApiKeyAuthenticator(db.dataSource, { cacheTtlMs: 0 });
    await expect(auth.authenticate(`Bearer ${minted.key}`)).resolves.toEqual({
      ok: true,
      tenantId: 'ten_a',
      keyId: 'key_a',
    });
    await expect(auth.authenticate('Bearer hl_sk_wrong')).resolves.toEqual({ ok: false, reason: 'invalid' });
    await expect(auth.authenticate(undefined)).resolves.toEqual({ ok: false, reason: 'missing' });
  });

  it('stops accepting a revoked key once its cache entry expires', async () => {
    const auth = new ApiKeyAuthenticator(db.dataSource, { cacheTtlMs: 5000, now: () => clock });
    await expect(auth.authenticate(`Bearer ${minted.key}`)).resolves.toMatchObject({ ok: true });
    await db.dataSource.query(`UPDATE api_keys SET revoked_at = now() WHERE id = 'key_a'`);
    await expect(auth.authenticate(`Bearer ${minted.key}`)).resolves.toMatchObject({ ok: true });
    clock += 5001;
    await expect(auth.authenticate(`Bearer ${minted.key}`)).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });
});
