import { createTestDatabase, type TestDatabase } from '@hookline/testing';
import type { DataSource } from 'typeorm';
import { ApiKeyAuthenticator, ApiKeyUsageRecorder, mintApiKey } from '../src';

describe('ApiKeyUsageRecorder (real Postgres)', () => {
  let db: TestDatabase;
  const keyA = mintApiKey();
  const keyB = mintApiKey();
  const MINUTE = 60_000;
  const start = Date.parse('2026-03-01T12:00:00.000Z');

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('ten_a', 'A'), ('ten_b', 'B')`);
    await db.dataSource.query(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, hash)
       VALUES ('key_a', 'ten_a', 'a', $1, $2), ('key_b', 'ten_b', 'b', $3, $4)`,
      [keyA.prefix, keyA.hash, keyB.prefix, keyB.hash],
    );
  });
  afterAll(() => db.drop());
  beforeEach(() => db.dataSource.query('UPDATE api_keys SET last_used_at = NULL'));

  async function lastUsed(): Promise<Record<string, string | null>> {
    const rows: Array<{ id: string; last_used_at: Date | null }> = await db.dataSource.query(
      'SELECT id, last_used_at FROM api_keys ORDER BY id',
    );
    return Object.fromEntries(rows.map((row) => [row.id, row.last_used_at?.toISOString() ?? null]));
  }

  /** The test database, counting the statements that write `api_keys`. */
  function countingWrites(): { dataSource: DataSource; writes: () => number } {
    let writes = 0;
    const dataSource = {
      query: (sql: string, parameters?: unknown[]) => {
        if (/UPDATE api_keys/.test(sql)) writes += 1;
        return db.dataSource.query(sql, parameters);
      },
    } as unknown as DataSource;
    return { dataSource, writes: () => writes };
  }

  it('writes each key at most once per interval, all keys in one statement', async () => {
    let clock = start;
    const { dataSource, writes } = countingWrites();
    const recorder = new ApiKeyUsageRecorder(dataSource, { intervalMs: MINUTE, now: () => clock });
    for (let request = 0; request < 50; request += 1) {
      recorder.touch('key_a', 'ten_a');
      recorder.touch('key_b', 'ten_b');
      clock += 100;
    }
    await recorder.flush();
    expect(writes()).toBe(1);
    // Noted at the first use of the interval.
    expect(await lastUsed()).toEqual({
      key_a: new Date(start).toISOString(),
      key_b: new Date(start).toISOString(),
    });

    // Uses within the same minute are not written again.
    recorder.touch('key_a', 'ten_a');
    await recorder.flush();
    expect(writes()).toBe(1);

    clock = start + MINUTE + 1;
    recorder.touch('key_a', 'ten_a');
    await recorder.flush();
    expect(writes()).toBe(2);
    expect((await lastUsed()).key_a).toBe(new Date(start + MINUTE + 1).toISOString());
  });

  it('writes what is pending when stopped, and never moves a later use back', async () => {
    await db.dataSource.query(`UPDATE api_keys SET last_used_at = $1 WHERE id = 'key_b'`, [
      new Date(start + 10 * MINUTE),
    ]);
    const recorder = new ApiKeyUsageRecorder(db.dataSource, { intervalMs: MINUTE, now: () => start });
    recorder.start();
    recorder.touch('key_a', 'ten_a');
    recorder.touch('key_b', 'ten_b');
    await recorder.stop();
    expect(await lastUsed()).toEqual({
      key_a: new Date(start).toISOString(),
      key_b: new Date(start + 10 * MINUTE).toISOString(),
    });
  });

  it("writes only within the key's own tenant", async () => {
    const recorder = new ApiKeyUsageRecorder(db.dataSource, { intervalMs: MINUTE, now: () => start });
    recorder.touch('key_a', 'ten_b');
    await recorder.stop();
    expect(await lastUsed()).toEqual({ key_a: null, key_b: null });
  });

  it('keeps uses whose write failed for the next write', async () => {
    let failing = true;
    const warnings: string[] = [];
    const dataSource = {
      query: (sql: string, parameters?: unknown[]) =>
        failing ? Promise.reject(new Error('connection refused')) : db.dataSource.query(sql, parameters),
    } as unknown as DataSource;
    const recorder = new ApiKeyUsageRecorder(dataSource, {
      intervalMs: MINUTE,
      now: () => start,
      warn: (message) => warnings.push(message),
    });
    recorder.touch('key_a', 'ten_a');
    await recorder.flush();
    expect(warnings).toEqual([expect.stringContaining('could not record API key use (1 keys')]);
    expect((await lastUsed()).key_a).toBeNull();
    failing = false;
    await recorder.flush();
    expect((await lastUsed()).key_a).toBe(new Date(start).toISOString());
  });

  it('is fed by the authenticator: a request with a key marks it used', async () => {
    const recorder = new ApiKeyUsageRecorder(db.dataSource, { intervalMs: MINUTE });
    const auth = new ApiKeyAuthenticator(db.dataSource, { cacheTtlMs: 5_000, usage: recorder });
    const before = Date.now();
    await expect(auth.authenticate(`Bearer ${keyB.key}`)).resolves.toMatchObject({ keyId: 'key_b' });
    await expect(auth.authenticate(`Bearer ${mintApiKey().key}`)).resolves.toMatchObject({ ok: false });
    await recorder.stop();
    const used = await lastUsed();
    expect(used.key_a).toBeNull();
    expect(Date.parse(used.key_b as string)).toBeGreaterThanOrEqual(before - 1_000);
  });
});
