import type { AcceptedEvent, RawEvent } from '@hookline/events';
import type { KeyState } from '../idempotency/idempotency.store';
import {
  adoptIdentities,
  keyRecords,
  planClaims,
  type PublishResolution,
  resolveKeys,
} from './idempotency.plan';
import type { Acceptance, PreparedEvent } from './ingest-reply';

const now: Acceptance = { acceptedAt: new Date('2026-01-02T03:04:05Z'), requestId: 'req_now' };

function prepared(id: string, raw: RawEvent, acceptance = now): PreparedEvent {
  const accepted = { event: { id, type: raw.type, created: 1700000000 } } as unknown as AcceptedEvent;
  return { raw, accepted, message: { topic: 't', key: null, value: null, headers: {} }, acceptance };
}

const a = prepared('evt_a', { type: 'user.created', data: { id: 'u1' }, request: { idempotency_key: 'ka' } });
const b = prepared('evt_b', { type: 'user.updated', data: { id: 'u1' } });
const claimed: KeyState = { kind: 'claimed' };

describe('planClaims', () => {
  it('gives a single event one key, from the header or its own request', () => {
    expect(planClaims([b], false, 'hk').map((claim) => [claim.key, claim.field])).toEqual([
      ['hk', 'Idempotency-Key'],
    ]);
    expect(planClaims([a], false, undefined).map((claim) => [claim.key, claim.field])).toEqual([
      ['ka', 'request.idempotency_key'],
    ]);
    expect(planClaims([b], false, undefined)).toEqual([]);
  });

  it('gives a batch a key for the request and one per keyed event', () => {
    const claims = planClaims([a, b], true, 'hk');
    expect(claims.map((claim) => [claim.key, claim.field, claim.covers])).toEqual([
      ['hk', 'Idempotency-Key', { kind: 'request' }],
      ['ka', 'events[0].request.idempotency_key', { kind: 'event', index: 0 }],
    ]);
    expect(claims[0].reply).toEqual({
      data: [
        { id: 'evt_a', type: 'user.created' },
        { id: 'evt_b', type: 'user.updated' },
      ],
    });
    expect(claims[0].requestHash).not.toBe(claims[1].requestHash);
  });
});

describe('resolveKeys', () => {
  const batchClaims = planClaims([a, b], true, 'hk');

  it('publishes everything when every key is new', () => {
    const states = new Map([
      ['hk', claimed],
      ['ka', claimed],
    ]);
    expect(resolveKeys(states, batchClaims, [a, b], true)).toMatchObject({
      kind: 'publish',
      indexes: [0, 1],
      hits: 0,
    });
  });

  it('publishes under a key taken over from a dead owner as under a new one', () => {
    const states = new Map<string, KeyState>([
      ['hk', { kind: 'taken-over', plan: { eventIds: ['evt_a', 'evt_b'], ...now } }],
      ['ka', claimed],
    ]);
    expect(resolveKeys(states, batchClaims, [a, b], true)).toMatchObject({
      kind: 'publish',
      indexes: [0, 1],
    });
  });

  it('refuses when any key belongs to a different request', () => {
    const states = new Map<string, KeyState>([
      ['hk', claimed],
      ['ka', { kind: 'existing', eventId: 'evt_x', reply: null, requestMatches: false }],
    ]);
    expect(resolveKeys(states, batchClaims, [a, b], true)).toMatchObject({
      kind: 'conflict',
      claim: { key: 'ka', field: 'events[0].request.idempotency_key' },
    });
  });

  it('replays the stored answer of a request-level key', () => {
    const stored = { data: [{ id: 'evt_old_a', type: 'user.created' }] };
    const states = new Map<string, KeyState>([
      ['hk', { kind: 'existing', eventId: 'evt_old_a', reply: stored, requestMatches: true }],
    ]);
    expect(resolveKeys(states, batchClaims, [a, b], true)).toEqual({
      kind: 'replay',
      reply: stored,
      hits: 1,
    });
  });

  it('publishes only the events whose own key is new, answering the others with their original id', () => {
    const states = new Map<string, KeyState>([
      ['hk', claimed],
      ['ka', { kind: 'existing', eventId: 'evt_old_a', reply: { id: 'evt_old_a' }, requestMatches: true }],
    ]);
    expect(resolveKeys(states, batchClaims, [a, b], true)).toEqual({
      kind: 'publish',
      indexes: [1],
      hits: 1,
      reply: {
        data: [
          { id: 'evt_old_a', type: 'user.created' },
          { id: 'evt_b', type: 'user.updated' },
        ],
      },
    });
  });
});

describe('adoptIdentities', () => {
  const batchClaims = planClaims([a, b], true, 'hk');
  const fresh = {
    request: now,
    events: [
      { id: 'evt_a', acceptance: now },
      { id: 'evt_b', acceptance: now },
    ],
  };
  const earlier: Acceptance = { acceptedAt: new Date('2025-12-31T23:59:59Z'), requestId: 'req_dead' };

  it('keeps fresh identities when no key was taken over', () => {
    const states = new Map([
      ['hk', claimed],
      ['ka', claimed],
    ]);
    expect(adoptIdentities(batchClaims, states, fresh)).toBe(fresh);
  });

  it('publishes under the ids and acceptance a dead owner stored for the request', () => {
    const states = new Map<string, KeyState>([
      ['hk', { kind: 'taken-over', plan: { eventIds: ['evt_old_a', 'evt_old_b'], ...earlier } }],
      ['ka', claimed],
    ]);
    expect(adoptIdentities(batchClaims, states, fresh)).toEqual({
      request: earlier,
      events: [
        { id: 'evt_old_a', acceptance: earlier },
        { id: 'evt_old_b', acceptance: earlier },
      ],
    });
  });

  it("lets an event's own taken-over key decide for that event", () => {
    const other: Acceptance = { acceptedAt: new Date('2025-06-01T00:00:00Z'), requestId: 'req_other' };
    const states = new Map<string, KeyState>([
      ['hk', { kind: 'taken-over', plan: { eventIds: ['evt_old_a', 'evt_old_b'], ...earlier } }],
      ['ka', { kind: 'taken-over', plan: { eventIds: ['evt_own_a'], ...other } }],
    ]);
    expect(adoptIdentities(batchClaims, states, fresh).events).toEqual([
      { id: 'evt_own_a', acceptance: other },
      { id: 'evt_old_b', acceptance: earlier },
    ]);
  });
});

describe('keyRecords', () => {
  it('records the final answer and the plan behind it for every key the request holds', () => {
    const batchClaims = planClaims([a, b], true, 'hk');
    const resolution: PublishResolution = {
      kind: 'publish',
      indexes: [0, 1],
      hits: 0,
      reply: {
        data: [
          { id: 'evt_a', type: 'user.created' },
          { id: 'evt_b', type: 'user.updated' },
        ],
      },
    };
    const states = new Map<string, KeyState>([
      ['hk', claimed],
      ['ka', claimed],
    ]);
    const records = keyRecords(batchClaims, states, resolution, [a, b], now);
    expect(Object.fromEntries(records)).toEqual({
      hk: { eventId: 'evt_a', reply: resolution.reply, plan: { eventIds: ['evt_a', 'evt_b'], ...now } },
      ka: {
        eventId: 'evt_a',
        reply: { id: 'evt_a', type: 'user.created', created: 1700000000 },
        plan: { eventIds: ['evt_a'], ...now },
      },
    });
  });

  it('records nothing for a key another request already finished', () => {
    const batchClaims = planClaims([a, b], true, 'hk');
    const states = new Map<string, KeyState>([
      ['hk', claimed],
      ['ka', { kind: 'existing', eventId: 'evt_old_a', reply: { id: 'evt_old_a' }, requestMatches: true }],
    ]);
    const resolution = resolveKeys(states, batchClaims, [a, b], true) as PublishResolution;
    const records = keyRecords(batchClaims, states, resolution, [a, b], now);
    expect([...records.keys()]).toEqual(['hk']);
    expect(records.get('hk')!.plan.eventIds).toEqual(['evt_old_a', 'evt_b']);
  });
});
