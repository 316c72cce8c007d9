import { createTestDatabase, type TestDatabase } from '@hookline/testing';
import type { DataSource } from 'typeorm';
import { ApiKeyAuthenticator, AuthFailureBrake, mintApiKey } from '../src';

/** The test database, counting the API key lookups made through it. */
function countingLookups(dataSource: DataSource): { dataSource: DataSource; lookups: () => number } {
  let lookups = 0;
  const counting = {
    query: (sql: string, parameters?: unknown[]) => {
      if (/FROM api_keys/.test(sql)) lookups += 1;
      return dataSource.query(sql, parameters);
    },
  } as unknown as DataSource;
  return { dataSource: counting, lookups: () => lookups };
}

describe('ApiKeyAuthenticator (real Postgres)', () => {
  let db: TestDatabase;
  const minted = mintApiKey();
  const busy = mintApiKey();
  const elsewhere = mintApiKey();
  let clock = 1_000_000;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('ten_a', 'A')`);
    await db.dataSource.query(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, hash) VALUES ('key_a', 'ten_a', 'main', $1, $2)`,
      [minted.prefix, minted.hash],
    );
    await db.dataSource.query(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, hash) VALUES ('key_b', 'ten_a', 'busy', $1, $2)`,
      [busy.prefix, busy.hash],
    );
    await db.dataSource.query(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, hash) VALUES ('key_c', 'ten_a', 'other', $1, $2)`,
      [elsewhere.prefix, elsewhere.hash],
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

  it('keeps serving a valid key from its cache while thousands of random keys are sprayed', async () => {
    const { dataSource, lookups } = countingLookups(db.dataSource);
    // Small caches, so the spray overflows the one for invalid keys many times over.
    const auth = new ApiKeyAuthenticator(dataSource, {
      cacheTtlMs: 60_000,
      maxCacheEntries: 100,
      maxRejectedEntries: 100,
    });
    await expect(auth.authenticate(`Bearer ${busy.key}`)).resolves.toMatchObject({ keyId: 'key_b' });
    expect(lookups()).toBe(1);

    const sprayed = 3_000;
    for (let index = 0; index < sprayed; index += 1) {
      await expect(auth.authenticate(`Bearer ${mintApiKey().key}`)).resolves.toEqual({
        ok: false,
        reason: 'invalid',
      });
    }
    // Each random key was looked up once; the invalid ones stayed in their own bounded cache.
    expect(lookups()).toBe(1 + sprayed);
    expect(auth.cached).toEqual({ valid: 1, rejected: 100 });

    await expect(auth.authenticate(`Bearer ${busy.key}`)).resolves.toEqual({
      ok: true,
      tenantId: 'ten_a',
      keyId: 'key_b',
    });
    expect(lookups()).toBe(1 + sprayed);
  });

  it('answers a repeated invalid key from its cache, and a key not shaped like a minted one without a lookup', async () => {
    const { dataSource, lookups } = countingLookups(db.dataSource);
    const auth = new ApiKeyAuthenticator(dataSource, { cacheTtlMs: 60_000 });
    const wrong = mintApiKey().key;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(auth.authenticate(`Bearer ${wrong}`)).resolves.toMatchObject({ reason: 'invalid' });
      await expect(auth.authenticate('Bearer YOUR_API_KEY')).resolves.toMatchObject({ reason: 'invalid' });
    }
    expect(lookups()).toBe(1);
  });

  it('refuses a braked address without a lookup, while other addresses and its own known keys go on', async () => {
    const { dataSource, lookups } = countingLookups(db.dataSource);
    const brake = new AuthFailureBrake({ maxFailures: 5, windowMs: 60_000, maxTracked: 1_000 });
    const auth = new ApiKeyAuthenticator(dataSource, { cacheTtlMs: 60_000, brake });
    const attacker = { address: '203.0.113.9' };
    await expect(auth.authenticate(`Bearer ${busy.key}`, attacker)).resolves.toMatchObject({ ok: true });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(auth.authenticate(`Bearer ${mintApiKey().key}`, attacker)).resolves.toMatchObject({
        reason: 'invalid',
      });
    }
    const before = lookups();
    const refusal = await auth.authenticate(`Bearer ${mintApiKey().key}`, attacker);
    expect(refusal).toEqual({ ok: false, reason: 'braked', retryAfterSeconds: expect.any(Number) });
    expect((refusal as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    await expect(auth.authenticate('Basic abc', attacker)).resolves.toMatchObject({ reason: 'braked' });
    expect(lookups()).toBe(before);

    // A key this instance knows to be valid is no guess: it still works from the braked address.
    await expect(auth.authenticate(`Bearer ${busy.key}`, attacker)).resolves.toMatchObject({ ok: true });
    await expect(
      auth.authenticate(`Bearer ${elsewhere.key}`, { address: '198.51.100.4' }),
    ).resolves.toMatchObject({
      ok: true,
      keyId: 'key_c',
    });
  });
});
