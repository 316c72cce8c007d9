import { IdempotencyRepository, runMigrations, type IdempotencyClaim } from '../src';
import { createEmptyDatabase, type EmptyDatabase } from './support/test-database';

const HOUR_MS = 60 * 60 * 1000;

describe('IdempotencyRepository', () => {
  let db: EmptyDatabase;
  let keys: IdempotencyRepository;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await runMigrations(db.dataSource);
    keys = new IdempotencyRepository(db.dataSource);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('lets exactly one of 50 concurrent claims of a key win, and tells the others its event', async () => {
    // Spread over several pools so that the claims really race on separate connections.
    const pools = [db.dataSource, await db.connect(), await db.connect()];
    const claims = Array.from({ length: 50 }, (_, i) =>
      new IdempotencyRepository(pools[i % pools.length]!).claim({
        tenantId: 'ten_race',
        key: 'order-42',
        eventId: `evt_${String(i).padStart(2, '0')}`,
        requestHash: 'same-body',
        ttlMs: HOUR_MS,
      }),
    );

    const outcomes: IdempotencyClaim[] = await Promise.all(claims);

    const winners = outcomes.flatMap((outcome, i) =>
      outcome.kind === 'claimed' ? [`evt_${String(i).padStart(2, '0')}`] : [],
    );
    expect(winners).toHaveLength(1);
    const losers = outcomes.filter((outcome) => outcome.kind === 'existing');
    expect(losers).toHaveLength(49);
    expect(new Set(losers.map((outcome) => outcome.kind === 'existing' && outcome.eventId))).toEqual(
      new Set(winners),
    );
    expect(losers.every((outcome) => outcome.kind === 'existing' && outcome.requestMatches)).toBe(true);
  });

  it('lets exactly one of 50 concurrent claims take over an expired key', async () => {
    const request = { tenantId: 'ten_race', key: 'expired-key', requestHash: 'h', ttlMs: HOUR_MS };
    expect(await keys.claim({ ...request, eventId: 'evt_stale' })).toEqual({ kind: 'claimed' });
    await db.dataSource.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'expired-key'`,
    );
    const pools = [db.dataSource, await db.connect(), await db.connect()];

    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        new IdempotencyRepository(pools[i % pools.length]!).claim({ ...request, eventId: `evt_${i}` }),
      ),
    );

    expect(outcomes.filter((outcome) => outcome.kind === 'claimed')).toHaveLength(1);
    const owners = new Set(
      outcomes.flatMap((outcome) => (outcome.kind === 'existing' ? [outcome.eventId] : [])),
    );
    expect(owners.size).toBe(1);
    expect(owners.has('evt_stale')).toBe(false);
  });

  it('tells a different request reusing a key apart from a retry', async () => {
    const request = {
      tenantId: 'ten_a',
      key: 'k1',
      eventId: 'evt_first',
      requestHash: 'body-1',
      ttlMs: HOUR_MS,
    };
    expect(await keys.claim(request)).toEqual({ kind: 'claimed' });

    expect(await keys.claim({ ...request, eventId: 'evt_retry' })).toEqual({
      kind: 'existing',
      eventId: 'evt_first',
      requestMatches: true,
    });
    expect(await keys.claim({ ...request, eventId: 'evt_other', requestHash: 'body-2' })).toEqual({
      kind: 'existing',
      eventId: 'evt_first',
      requestMatches: false,
    });
  });

  it('keeps keys apart per tenant', async () => {
    const request = { key: 'shared-key', requestHash: 'h', ttlMs: HOUR_MS };
    expect(await keys.claim({ ...request, tenantId: 'ten_x', eventId: 'evt_x' })).toEqual({
      kind: 'claimed',
    });
    expect(await keys.claim({ ...request, tenantId: 'ten_y', eventId: 'evt_y' })).toEqual({
      kind: 'claimed',
    });
  });

  it('lets a new request take over an expired key, and prunes expired keys', async () => {
    const request = { tenantId: 'ten_b', key: 'k-expiring', requestHash: 'h', ttlMs: HOUR_MS };
    expect(await keys.claim({ ...request, eventId: 'evt_old' })).toEqual({ kind: 'claimed' });
    await db.dataSource.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE tenant_id = 'ten_b'`,
    );

    expect(await keys.claim({ ...request, eventId: 'evt_new' })).toEqual({ kind: 'claimed' });
    expect(await keys.claim({ ...request, eventId: 'evt_newer' })).toMatchObject({ eventId: 'evt_new' });

    await keys.claim({
      tenantId: 'ten_b',
      key: 'k-dead',
      eventId: 'evt_dead',
      requestHash: 'h',
      ttlMs: HOUR_MS,
    });
    await db.dataSource.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'k-dead'`,
    );
    expect(await keys.pruneExpired()).toBe(1);
    const left: unknown[] = await db.dataSource.query(`SELECT 1 FROM idempotency_keys WHERE key = 'k-dead'`);
    expect(left).toHaveLength(0);
  });

  it('releases a claim only for the event that holds it', async () => {
    const request = { tenantId: 'ten_c', key: 'k-release', requestHash: 'h', ttlMs: HOUR_MS };
    expect(await keys.claim({ ...request, eventId: 'evt_1' })).toEqual({ kind: 'claimed' });

    await keys.release('ten_c', 'k-release', 'evt_someone_else');
    expect(await keys.claim({ ...request, eventId: 'evt_2' })).toMatchObject({
      kind: 'existing',
      eventId: 'evt_1',
    });

    await keys.release('ten_c', 'k-release', 'evt_1');
    expect(await keys.claim({ ...request, eventId: 'evt_3' })).toEqual({ kind: 'claimed' });
  });
});
