import type { AcceptedEvent, RawEvent } from '@hookline/events';
import type { KeyState } from '../idempotency/idempotency.store';
import { planClaims, resolveKeys } from './idempotency.plan';
import type { PreparedEvent } from './ingest-reply';

function prepared(id: string, raw: RawEvent): PreparedEvent {
  const accepted = { event: { id, type: raw.type, created: 1700000000 } } as unknown as AcceptedEvent;
  return { raw, accepted, message: { topic: 't', key: null, value: null, headers: {} } };
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
