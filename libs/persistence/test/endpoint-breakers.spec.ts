import { BreakerStateReporter, readEndpointBreaker, runMigrations } from '../src';
import { createEmptyDatabase, type EmptyDatabase } from './support/test-database';

describe('endpoint breaker states (real Postgres)', () => {
  let db: EmptyDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await runMigrations(db.dataSource);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const rowsOf = (endpointId: string) =>
    db.dataSource.query(
      'SELECT owner, state, since, reason FROM endpoint_breakers WHERE endpoint_id = $1 ORDER BY owner',
      [endpointId],
    );

  it('writes transitions in the background, keeps the newest, and deletes its rows at stop', async () => {
    const reporter = new BreakerStateReporter(db.dataSource, { owner: 'dispatcher-a', ttlMs: 60_000 });
    reporter.start();
    const opened = new Date('2026-01-01T10:00:00Z');
    const probing = new Date('2026-01-01T10:00:30Z');
    reporter.report('wh_1', 'open', opened, '5 of 6 attempts failed');
    reporter.report('wh_1', 'half_open', probing, 'letting one attempt through');
    reporter.report('wh_2', 'open', opened, 'failing');
    await reporter.settled();
    expect(await rowsOf('wh_1')).toEqual([
      { owner: 'dispatcher-a', state: 'half_open', since: probing, reason: 'letting one attempt through' },
    ]);

    // A breaker dropped by the process is forgotten; one it never reported costs nothing.
    reporter.forget('wh_2');
    reporter.forget('wh_never');
    await reporter.settled();
    expect(await rowsOf('wh_2')).toEqual([]);

    await reporter.stop();
    expect(await rowsOf('wh_1')).toEqual([]);
    reporter.report('wh_1', 'open', opened, 'after stop');
    await reporter.settled();
    expect(await rowsOf('wh_1')).toEqual([]);
  });

  it('never throws: a failed write is told to onError and written at the next keep-alive', async () => {
    const errors: unknown[] = [];
    const reporter = new BreakerStateReporter(db.dataSource, {
      owner: 'dispatcher-b',
      ttlMs: 3000,
      onError: (error) => errors.push(error),
    });
    reporter.start();
    await db.dataSource.query('ALTER TABLE endpoint_breakers RENAME TO endpoint_breakers_away');
    try {
      expect(() => reporter.report('wh_3', 'open', new Date(), 'failing')).not.toThrow();
      await reporter.settled();
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await db.dataSource.query('ALTER TABLE endpoint_breakers_away RENAME TO endpoint_breakers');
    }
    const deadline = Date.now() + 10_000;
    while ((await rowsOf('wh_3')).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await rowsOf('wh_3')).toEqual([expect.objectContaining({ owner: 'dispatcher-b', state: 'open' })]);
    await reporter.stop();
  });

  it('sums up the dispatchers: open wins, then half-open; expired reports do not count', async () => {
    const insert = (owner: string, state: string, since: string, reason: string, expiresInSeconds: number) =>
      db.dataSource.query(
        `INSERT INTO endpoint_breakers (endpoint_id, owner, state, since, reason, expires_at)
         VALUES ('wh_sum', $1, $2, $3, $4, now() + make_interval(secs => $5))`,
        [owner, state, since, reason, expiresInSeconds],
      );
    expect(await readEndpointBreaker(db.dataSource, 'wh_sum')).toEqual({
      state: 'closed',
      since: null,
      reason: null,
      dispatchersOpen: 0,
      dispatchers: 0,
    });
    await insert('d1', 'closed', '2026-01-01T09:00:00Z', 'an attempt succeeded while half-open', 60);
    await insert('d2', 'half_open', '2026-01-01T10:00:30Z', 'probing', 60);
    expect(await readEndpointBreaker(db.dataSource, 'wh_sum')).toMatchObject({
      state: 'half_open',
      reason: 'probing',
      dispatchersOpen: 0,
      dispatchers: 2,
    });
    await insert('d3', 'open', '2026-01-01T10:05:00Z', 'late', 60);
    await insert('d4', 'open', '2026-01-01T10:01:00Z', 'first', 60);
    await insert('d5', 'open', '2026-01-01T09:59:00Z', 'a stopped dispatcher', -1);
    expect(await readEndpointBreaker(db.dataSource, 'wh_sum')).toEqual({
      state: 'open',
      since: new Date('2026-01-01T10:01:00Z'),
      reason: 'first',
      dispatchersOpen: 2,
      dispatchers: 4,
    });
  });
});
