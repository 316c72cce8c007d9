import { createTestDatabase, type TestDatabase } from '@hookline/testing';
import type { HeldClaim } from '../src/idempotency/held-claim';
import {
  type ClaimDecision,
  IdempotencyStore,
  type KeyClaim,
  type KeyRecord,
  type KeyState,
  type PublishPlan,
} from '../src/idempotency/idempotency.store';

/**
 * What happens to a claim after its publish (real Postgres; publishing itself is the use case's
 * business and is covered with Kafka in idempotency-claims.spec.ts).
 */
describe('IdempotencyStore (real Postgres)', () => {
  let db: TestDatabase;
  let keys = 0;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 4 });
  });

  afterAll(async () => {
    await db?.drop();
  });

  function store(options: Partial<{ waitMs: number; leaseMs: number }> = {}): IdempotencyStore {
    return new IdempotencyStore(db.dataSource, {
      ttlMs: 3_600_000,
      waitMs: options.waitMs ?? 200,
      leaseMs: options.leaseMs ?? 60_000,
    });
  }

  function newClaim(): KeyClaim {
    keys += 1;
    return { key: `key-${keys}`, requestHash: 'hash', eventId: `evt_first_${keys}`, reply: {} };
  }

  function plan(id: string): PublishPlan {
    return { eventIds: [id], acceptedAt: new Date('2026-01-15T10:30:00.123Z'), requestId: `req_${id}` };
  }

  /** Holds every key it may and records `fresh` as its plan, or the plan of a claim it took over, as the use case does. */
  function holdAs(fresh: PublishPlan) {
    return (states: ReadonlyMap<string, KeyState>): ClaimDecision<ReadonlyMap<string, KeyState>, never> => {
      const records = new Map<string, KeyRecord>();
      for (const [key, state] of states) {
        if (state.kind === 'existing') continue;
        const publishing = state.kind === 'taken-over' ? state.plan : fresh;
        records.set(key, { eventId: publishing.eventIds[0], reply: {}, plan: publishing });
      }
      return { kind: 'hold', value: states, records };
    };
  }

  async function hold(claim: KeyClaim, publishing: PublishPlan, sut = store()) {
    const outcome = await sut.claim('ten_1', [claim], holdAs(publishing));
    if (outcome.kind !== 'held') throw new Error(`expected to hold ${claim.key}, got ${outcome.kind}`);
    return { state: outcome.value.get(claim.key), claim: outcome.claim as HeldClaim };
  }

  async function lapse(claim: KeyClaim): Promise<void> {
    await db.dataSource.query(
      `UPDATE idempotency_keys SET lease_expires_at = now() - interval '1 second' WHERE key = $1`,
      [claim.key],
    );
  }

  it('forgets a new key when its publish wrote nothing, so a retry starts afresh', async () => {
    const claim = newClaim();
    const first = await hold(claim, plan('evt_a'));
    expect(first.state).toEqual({ kind: 'claimed' });

    await first.claim.release('no');

    expect((await hold(claim, plan('evt_b'))).state).toEqual({ kind: 'claimed' });
  });

  it('keeps the ids of a publish whose outcome is unknown, and lets the next request take them over at once', async () => {
    const claim = newClaim();
    const first = await hold(claim, plan('evt_a'));

    await first.claim.release('unknown');

    expect((await hold(claim, plan('evt_b'))).state).toEqual({ kind: 'taken-over', plan: plan('evt_a') });
  });

  it('keeps the ids of a taken-over claim even when its own publish wrote nothing', async () => {
    const claim = newClaim();
    await hold(claim, plan('evt_a'));
    await lapse(claim);
    const second = await hold(claim, plan('evt_b'));
    expect(second.state).toEqual({ kind: 'taken-over', plan: plan('evt_a') });

    await second.claim.release('no');

    expect((await hold(claim, plan('evt_c'))).state).toEqual({ kind: 'taken-over', plan: plan('evt_a') });
  });

  it('answers in flight while the owner renews its lease, and lets a repeat take over once it stops', async () => {
    const claim = newClaim();
    const owner = await hold(claim, plan('evt_a'), store({ leaseMs: 1_000 }));

    const meanwhile = await owner.claim.whilePublishing(async () => {
      // Several lease periods: only renewals keep the claim.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      return store().claim('ten_1', [claim], holdAs(plan('evt_b')));
    });
    expect(meanwhile).toEqual({ kind: 'in-flight', key: claim.key });

    const later = await store({ waitMs: 5_000 }).claim('ten_1', [claim], holdAs(plan('evt_b')));
    expect(later.kind === 'held' && later.value.get(claim.key)).toEqual({
      kind: 'taken-over',
      plan: plan('evt_a'),
    });
  });

  it('tells an owner whose claim was taken over that it lost it', async () => {
    const claim = newClaim();
    const first = await hold(claim, plan('evt_a'));
    await lapse(claim);
    const second = await hold(claim, plan('evt_b'));

    expect(await first.claim.finish()).toEqual({ kind: 'lost', keys: 1 });
    expect(await second.claim.finish()).toEqual({ kind: 'done' });
    const [row] = await db.dataSource.query(
      `SELECT state, owner, event_ids FROM idempotency_keys WHERE key = $1`,
      [claim.key],
    );
    expect(row).toEqual({ state: 'done', owner: null, event_ids: ['evt_a'] });
  });
});
