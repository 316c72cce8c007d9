// The suite's own checks, run with `node --test chaos/test` (the end-to-end suite runs them): a
// fault-injection suite whose accounting could miss a lost delivery, a duplicate or an early retry
// would prove nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findEarlyRetries } from '../lib/attempt-audit.mjs';
import { judge } from '../lib/report.mjs';
import { DeliveryTally } from '../lib/tally.mjs';

/** A receiver log as the receivers' process returns it. */
function logOf(requests, signatures = { checked: requests.length, bad: 0, examples: [] }) {
  return {
    eventIds: requests.map((r) => r.eventId),
    at: requests.map((r) => r.at ?? 1_000),
    status: requests.map((r) => r.status ?? 200),
    subjects: requests.map((r) => r.subject ?? ''),
    signatures,
  };
}

function tallyOfTwoTenants() {
  const tally = new DeliveryTally(
    [
      { key: 'a1', tenantId: 'ta' },
      { key: 'a2', tenantId: 'ta' },
      { key: 'b1', tenantId: 'tb' },
    ],
    { shortestRetryMs: 1_000 },
  );
  tally.accept({ eventId: 'evt_1', tenantId: 'ta', via: 'rest', subject: 'user_1' });
  tally.accept({ eventId: 'evt_2', tenantId: 'tb', via: 'kafka', subject: 'user_2' });
  return tally;
}

describe('delivery tally', () => {
  it('expects each event at every endpoint of its tenant and nowhere else', () => {
    const tally = tallyOfTwoTenants();
    assert.equal(tally.outstanding(), 3);
    tally.absorb('a1', logOf([{ eventId: 'evt_1', at: 2_000 }]));
    tally.absorb('a2', logOf([{ eventId: 'evt_1', at: 2_100 }]));
    tally.absorb('b1', logOf([{ eventId: 'evt_2', at: 2_500 }]));
    const summary = tally.summary({ faultsEndedAt: 1_500 });
    assert.deepEqual(
      {
        expected: summary.expected,
        delivered: summary.delivered,
        lost: summary.lost,
        duplicates: summary.duplicates,
      },
      { expected: 3, delivered: 3, lost: 0, duplicates: 0 },
    );
    assert.deepEqual(summary.accepted, { total: 2, rest: 1, kafka: 1 });
    assert.equal(summary.drainMs, 1_000);
  });

  it('counts a pair answered only with errors as lost, with no drain time', () => {
    const tally = tallyOfTwoTenants();
    tally.absorb('a1', logOf([{ eventId: 'evt_1' }]));
    tally.absorb(
      'a2',
      logOf([
        { eventId: 'evt_1', status: 503 },
        { eventId: 'evt_1', status: 503, at: 5_000 },
      ]),
    );
    tally.absorb('b1', logOf([{ eventId: 'evt_2' }]));
    const summary = tally.summary({ faultsEndedAt: 0 });
    assert.equal(summary.lost, 1);
    assert.deepEqual(summary.lostByEndpoint, { a2: 1 });
    assert.deepEqual(summary.lostByVia, { rest: 1, kafka: 0 });
    assert.equal(summary.drainMs, null);
    assert.deepEqual(tally.lostPairs(), [{ eventId: 'evt_1', endpoint: 'a2', via: 'rest' }]);
  });

  it('counts every 2xx beyond the first for a pair as a duplicate, across collections', () => {
    const tally = tallyOfTwoTenants();
    tally.absorb('a1', logOf([{ eventId: 'evt_1' }, { eventId: 'evt_1', at: 1_200 }]));
    tally.absorb('a1', logOf([{ eventId: 'evt_1', at: 9_000 }]));
    tally.absorb('a2', logOf([{ eventId: 'evt_1' }]));
    tally.absorb(
      'b1',
      logOf([
        { eventId: 'evt_2', status: 500 },
        { eventId: 'evt_2', at: 3_000 },
      ]),
    );
    const summary = tally.summary({ faultsEndedAt: 0 });
    assert.equal(summary.duplicates, 2);
    assert.equal(summary.perEndpoint.a1.duplicates, 2);
    assert.ok(Math.abs(summary.duplicatePercent - (2 / 3) * 100) < 1e-9);
    // The retry after the 500 came 2 s later: not a quick repeat.
    assert.equal(summary.quickRepeats.count, 0);
  });

  it('tells a request published twice under two ids from one never acknowledged, and ignores probes', () => {
    const tally = tallyOfTwoTenants();
    tally.addProbe('evt_probe');
    tally.absorb(
      'a1',
      logOf([
        { eventId: 'evt_1', subject: 'user_1' },
        { eventId: 'evt_1_again', subject: 'user_1' },
        { eventId: 'evt_lost_answer', subject: 'user_99' },
        { eventId: 'evt_probe', subject: 'user_0' },
      ]),
    );
    const { unexpected } = tally.summary({ faultsEndedAt: 0 });
    assert.deepEqual(
      {
        events: unexpected.events,
        doubledEvents: unexpected.doubledEvents,
        doubledDeliveries: unexpected.doubledDeliveries,
        unacknowledged: unexpected.unacknowledged,
      },
      { events: 2, doubledEvents: 1, doubledDeliveries: 1, unacknowledged: 1 },
    );
  });

  it('adds up signature checks and notes a repeat that follows a failure too soon', () => {
    const tally = tallyOfTwoTenants();
    tally.absorb(
      'a1',
      logOf(
        [
          { eventId: 'evt_1', status: 503, at: 1_000 },
          { eventId: 'evt_1', at: 1_300 },
        ],
        {
          checked: 2,
          bad: 1,
          examples: [{ eventId: 'evt_1', problems: ['x'] }],
        },
      ),
    );
    const summary = tally.summary({ faultsEndedAt: 0 });
    assert.deepEqual(
      { checked: summary.signatures.checked, bad: summary.signatures.bad },
      { checked: 2, bad: 1 },
    );
    assert.equal(summary.quickRepeats.count, 1);
  });
});

describe('early retries', () => {
  const delays = [1_000, 2_000];
  const attempt = (deliveryId, attemptNumber, startedAt, finishedAt = startedAt + 10) => ({
    deliveryId,
    attemptNumber,
    startedAt,
    finishedAt,
  });

  it('accepts retries that start at or after the previous finish plus the scheduled delay', () => {
    const result = findEarlyRetries(
      [attempt('d1', 1, 0, 50), attempt('d1', 2, 1_050, 1_060), attempt('d1', 3, 3_060), attempt('d2', 1, 0)],
      delays,
    );
    assert.deepEqual({ checked: result.retriesChecked, early: result.early }, { checked: 2, early: 0 });
  });

  it('flags a retry that starts one millisecond early, by the delay of its own attempt number', () => {
    const result = findEarlyRetries(
      [attempt('d1', 1, 0, 50), attempt('d1', 2, 1_050, 1_060), attempt('d1', 3, 3_059)],
      delays,
    );
    assert.equal(result.early, 1);
    assert.deepEqual(result.examples[0], {
      deliveryId: 'd1',
      attempt: 3,
      scheduledDelayMs: 2_000,
      startedAfterPreviousMs: 1_999,
      earlyByMs: 1,
    });
  });

  it('counts a retry without a recorded previous attempt apart', () => {
    const result = findEarlyRetries([attempt('d1', 2, 0)], delays);
    assert.deepEqual(
      { checked: result.retriesChecked, withoutPrevious: result.withoutPrevious },
      { checked: 0, withoutPrevious: 1 },
    );
  });
});

describe('verdict', () => {
  const scenario = (id, figures, doubledDeliveries = 0) => ({
    id,
    figures: {
      expected: 100,
      lost: 0,
      duplicates: 0,
      duplicatePercent: 0,
      earlyRetries: 0,
      badSignatures: 0,
      signaturesChecked: 100,
      ...figures,
    },
    details: { unexpected: { doubledEvents: doubledDeliveries, doubledDeliveries } },
  });

  it('fails on a loss, an early retry or a bad signature anywhere, and on duplicates without faults', () => {
    const { failures } = judge([
      scenario('none', { duplicates: 1, duplicatePercent: 1 }),
      scenario('kill-broker', { lost: 2 }),
      scenario('scale', { earlyRetries: 1 }),
      scenario('receiver-outage', { badSignatures: 1 }),
    ]);
    assert.equal(failures.length, 4);
  });

  it('reports duplicates under a fault against the goal without failing', () => {
    const { failures, goalsMissed } = judge([
      scenario('none', {}),
      scenario('scale', { duplicates: 5, duplicatePercent: 5 }),
      scenario('kill-services', { duplicates: 1, duplicatePercent: 0.05 }),
    ]);
    assert.deepEqual(failures, []);
    assert.equal(goalsMissed.length, 1);
    assert.match(goalsMissed[0], /^scale: duplicates/);
  });

  it('fails a scenario that could not run to the end', () => {
    const { failures } = judge([{ id: 'kill-broker', error: 'the broker did not come back' }]);
    assert.deepEqual(failures, ['kill-broker: did not run to the end (the broker did not come back)']);
  });
});
