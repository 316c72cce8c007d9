// The harness's own checks, run with `node --test bench/test` (the end-to-end suite runs them): a
// benchmark whose delivery accounting could miss a lost or doubled delivery would be worthless.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ledger } from '../lib/ledger.mjs';
import { summariseProfile } from '../lib/profile.mjs';
import { latencySummary, quantile } from '../lib/stats.mjs';
import { HEADERS, newSecret, renderEvent, signedHeaders } from '../lib/webhook-body.mjs';

/** A receiver log as the receivers' process returns it. */
function logOf(requests, samples = []) {
  return {
    eventIds: requests.map((r) => r.eventId),
    deliveryIds: requests.map((r) => `delivery_${r.eventId}`),
    at: requests.map((r) => r.at ?? 1000),
    status: requests.map((r) => r.status ?? 200),
    bytes: requests.map(() => 1024),
    samples,
  };
}

/** A request exactly as a signing sender would deliver it, signed at `nowMs`, received at `at`. */
function signedSample(secret, { nowMs = Date.now(), at = nowMs } = {}) {
  const event = renderEvent('rtest', 1, 1);
  const headers = signedHeaders({
    eventId: event.id,
    deliveryId: 'delivery_x',
    body: event.body,
    secret,
    nowMs,
  });
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { event, sample: { headers: lower, body: event.body, at } };
}

describe('ledger', () => {
  const secret = newSecret();

  function ledgerWith(role = 'counted') {
    const ledger = new Ledger();
    ledger.addEndpoint('e1', { role, secret });
    ledger.expect(
      ['e1'],
      [
        { eventId: 'evt_a', ackAt: 900 },
        { eventId: 'evt_b', ackAt: 950 },
      ],
    );
    return ledger;
  }

  it('passes when every expected delivery arrives once with a valid signature', () => {
    const ledger = ledgerWith();
    const { sample } = signedSample(secret);
    ledger.addProbe(sample.headers[HEADERS.eventId]);
    const absorbed = ledger.absorb(
      'e1',
      logOf(
        [
          { eventId: 'evt_a', at: 1000 },
          { eventId: 'evt_b', at: 1010 },
        ],
        [sample],
      ),
    );
    assert.deepEqual(
      absorbed.delivered.map((d) => d.at - d.ackAt),
      [100, 60],
    );
    assert.equal(ledger.recordMissing(), 0);
    const summary = ledger.summary();
    assert.equal(summary.ok, true);
    assert.equal(summary.countedDeliveriesArrivedOnce, 2);
  });

  it('fails on a delivery that arrives twice', () => {
    const ledger = ledgerWith();
    ledger.absorb('e1', logOf([{ eventId: 'evt_a' }, { eventId: 'evt_b' }]));
    ledger.absorb('e1', logOf([{ eventId: 'evt_b' }]));
    const summary = ledger.summary();
    assert.equal(summary.ok, false);
    assert.equal(summary.problems['duplicate delivery'].count, 1);
    assert.equal(summary.problems['duplicate delivery'].examples[0].eventId, 'evt_b');
  });

  it('fails on a delivery that never arrives, and on one nobody sent', () => {
    const ledger = ledgerWith();
    ledger.absorb('e1', logOf([{ eventId: 'evt_a' }, { eventId: 'evt_zzz' }]));
    assert.equal(ledger.outstanding(['e1']), 1);
    assert.equal(ledger.recordMissing(), 1);
    const { problems } = ledger.summary();
    assert.deepEqual(Object.keys(problems).sort(), [
      'missing delivery',
      'unexpected delivery (event never acknowledged to the benchmark)',
    ]);
  });

  it('does not count error answers as deliveries, and lets failing endpoints be retried', () => {
    const counted = ledgerWith();
    counted.absorb(
      'e1',
      logOf([{ eventId: 'evt_a', status: 500 }, { eventId: 'evt_a' }, { eventId: 'evt_b' }]),
    );
    assert.equal(counted.recordMissing(), 0);
    const failing = ledgerWith('failing');
    failing.absorb(
      'e1',
      logOf([
        { eventId: 'evt_a', status: 500 },
        { eventId: 'evt_a', status: 500 },
      ]),
    );
    assert.equal(failing.recordMissing(), 0);
    assert.deepEqual(failing.summary().problems, {});
  });

  it('fails when a sampled signature does not match the body', () => {
    const ledger = ledgerWith();
    const { sample } = signedSample(secret);
    const tampered = {
      ...sample,
      body: Buffer.from(sample.body.toString().replace('Bench User', 'Bench Usex')),
    };
    ledger.absorb('e1', logOf([{ eventId: 'evt_a' }, { eventId: 'evt_b' }], [tampered]));
    const { ok, problems } = ledger.summary();
    assert.equal(ok, false);
    assert.equal(problems['signature check failed'].count, 2);
  });

  it('judges signature timestamps as of arrival, not as of the check', () => {
    const hourAgo = Date.now() - 3_600_000;
    const fresh = ledgerWith();
    fresh.absorb(
      'e1',
      logOf(
        [{ eventId: 'evt_a' }, { eventId: 'evt_b' }],
        [signedSample(secret, { nowMs: hourAgo, at: hourAgo + 2000 }).sample],
      ),
    );
    assert.deepEqual(fresh.summary().problems, {});
    const stale = ledgerWith();
    stale.absorb(
      'e1',
      logOf(
        [{ eventId: 'evt_a' }, { eventId: 'evt_b' }],
        [signedSample(secret, { nowMs: hourAgo, at: hourAgo + 600_000 }).sample],
      ),
    );
    assert.match(stale.summary().problems['signature check failed'].examples[0].issue, /too old/);
  });

  it('is not ok when no signature was checked at all', () => {
    const ledger = ledgerWith();
    ledger.absorb('e1', logOf([{ eventId: 'evt_a' }, { eventId: 'evt_b' }]));
    assert.equal(ledger.summary().ok, false);
  });
});

describe('statistics', () => {
  it('interpolates quantiles', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([], 0.5), null);
    const summary = latencySummary(Array.from({ length: 100 }, (_, i) => i + 1));
    assert.deepEqual([summary.p50, summary.p99, summary.max, summary.count], [50.5, 99, 100, 100]);
  });
});

describe('webhook bodies', () => {
  it('are about 1 KiB', () => {
    const { body } = renderEvent('rtest', 123456, 10);
    assert.ok(Math.abs(body.length - 1024) <= 16, `body is ${body.length} bytes`);
  });
});

describe('profile summary', () => {
  it('counts only samples inside the window, charging Node internals to their caller', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
    try {
      const node = (id, functionName, url, children = []) => ({
        id,
        callFrame: { functionName, url, lineNumber: 9, columnNumber: 0 },
        children,
      });
      const file = join(dir, 'x.cpuprofile');
      writeFileSync(
        file,
        JSON.stringify({
          nodes: [
            node(1, '(root)', '', [2, 3, 4]),
            node(2, 'send', 'file:///repo/node_modules/kafkajs/src/producer/index.js'),
            node(3, 'signSha256Hex', 'file:///repo/libs/signing/dist/sha256-hex.signature.js', [5]),
            node(4, '(idle)', ''),
            node(5, 'getKeyObjectSlots', 'node:internal/crypto/keys'),
          ],
          startTime: 1_000,
          samples: [2, 2, 5, 4, 5, 2],
          // Sample times: 1100, 1200, 1300, 1400, 1500, 1600.
          timeDeltas: [100, 100, 100, 100, 100, 100],
        }),
      );
      const summary = summariseProfile(file, { fromUs: 1150, toUs: 1550 });
      assert.equal(summary.samples, 4);
      assert.deepEqual(
        summary.byOwner.map((o) => [o.owner, o.percentOfBusy]),
        [
          ['node:crypto', 66.7],
          ['kafkajs', 33.3],
        ],
      );
      assert.deepEqual(
        summary.byCaller.map((o) => [o.owner, o.percentOfBusy]),
        [
          ['@hookline/signing', 66.7],
          ['kafkajs', 33.3],
        ],
      );
      assert.equal(summary.topFunctions[0].function, 'getKeyObjectSlots');
      assert.equal(summary.topFunctions[1].location, 'kafkajs/src/producer/index.js:10');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
