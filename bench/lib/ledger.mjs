// Every delivery the benchmark counts is checked against what the receivers logged: each expected
// (event, endpoint) pair must arrive exactly once with a 2xx answer, nothing unexpected may arrive,
// and a sample of requests must carry valid signatures.
import { verifyRequest } from './webhook-body.mjs';

const MAX_EXAMPLES = 10;

/** Expected deliveries of one system's runs, and what was found wrong. */
export class Ledger {
  constructor() {
    /** @type {Map<string, { role: string, secret: string, expected: Map<string, number>, acked: Map<string, number>, extra: Map<string, number> }>} */
    this.endpoints = new Map();
    this.probes = new Set();
    this.problems = new Map();
    this.signaturesChecked = 0;
    this.requestsSeen = 0;
  }

  /**
   * Registers an endpoint. `role`: `counted` (every delivery must arrive exactly once), `slow` (may
   * still be in flight at the end; never twice) or `failing` (answers errors; retries are expected).
   */
  addEndpoint(key, { role, secret }) {
    this.endpoints.set(key, { role, secret, expected: new Map(), acked: new Map(), extra: new Map() });
  }

  /** Expects each acknowledged event (`{ eventId, ackAt }`) at each of `keys`. */
  expect(keys, events) {
    for (const key of keys) {
      const endpoint = this.endpoints.get(key);
      for (const event of events) {
        endpoint.expected.set(event.eventId, 0);
        endpoint.acked.set(event.eventId, event.ackAt);
      }
    }
  }

  /** An event sent only to learn that routing works: it may arrive or not, but never twice. */
  addProbe(eventId) {
    this.probes.add(eventId);
  }

  problem(kind, example) {
    const entry = this.problems.get(kind) ?? { count: 0, examples: [] };
    entry.count += 1;
    if (entry.examples.length < MAX_EXAMPLES) entry.examples.push(example);
    this.problems.set(kind, entry);
  }

  /**
   * Checks one endpoint's log; returns its successful deliveries of expected events as
   * `{ at, ackAt }` (for throughput and latency) and the body sizes seen.
   */
  absorb(key, log) {
    const endpoint = this.endpoints.get(key);
    const delivered = [];
    let bytes = 0;
    for (let i = 0; i < log.eventIds.length; i += 1) {
      const eventId = log.eventIds[i];
      const ok = log.status[i] >= 200 && log.status[i] < 300;
      bytes += log.bytes[i];
      this.requestsSeen += 1;
      if (!eventId) {
        this.problem('request without an event id header', { endpoint: key });
        continue;
      }
      if (endpoint.expected.has(eventId)) {
        if (!ok) continue;
        const seen = endpoint.expected.get(eventId) + 1;
        endpoint.expected.set(eventId, seen);
        if (seen > 1)
          this.problem('duplicate delivery', { endpoint: key, eventId, deliveryId: log.deliveryIds[i] });
        else delivered.push({ at: log.at[i], ackAt: endpoint.acked.get(eventId) });
        continue;
      }
      if (this.probes.has(eventId)) {
        if (!ok) continue;
        const seen = (endpoint.extra.get(eventId) ?? 0) + 1;
        endpoint.extra.set(eventId, seen);
        if (seen > 1)
          this.problem('duplicate delivery', { endpoint: key, eventId, deliveryId: log.deliveryIds[i] });
        continue;
      }
      this.problem('unexpected delivery (event never acknowledged to the benchmark)', {
        endpoint: key,
        eventId,
      });
    }
    for (const sample of log.samples) {
      this.signaturesChecked += 1;
      const found = verifyRequest(sample, endpoint.secret);
      for (const issue of found) this.problem('signature check failed', { endpoint: key, issue });
    }
    return { delivered, requests: log.eventIds.length, bodyBytes: bytes };
  }

  /** Expected deliveries of these `counted` endpoints that have not arrived yet. */
  outstanding(keys) {
    let count = 0;
    for (const key of keys) {
      const endpoint = this.endpoints.get(key);
      if (endpoint.role !== 'counted') continue;
      for (const seen of endpoint.expected.values()) if (seen === 0) count += 1;
    }
    return count;
  }

  /** Records every expected delivery of a `counted` endpoint that never arrived as a problem. */
  recordMissing() {
    const entry = { count: 0, examples: [] };
    for (const [key, endpoint] of this.endpoints) {
      if (endpoint.role !== 'counted') continue;
      for (const [eventId, seen] of endpoint.expected) {
        if (seen > 0) continue;
        entry.count += 1;
        if (entry.examples.length < MAX_EXAMPLES) entry.examples.push({ endpoint: key, eventId });
      }
    }
    if (entry.count > 0) this.problems.set('missing delivery', entry);
    return entry.count;
  }

  /** Totals of what was expected and found, and every problem (`ok` only when there is none). */
  summary() {
    let expected = 0;
    let delivered = 0;
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.role !== 'counted') continue;
      expected += endpoint.expected.size;
      for (const seen of endpoint.expected.values()) if (seen > 0) delivered += 1;
    }
    const problems = Object.fromEntries(this.problems);
    return {
      ok: this.problems.size === 0 && this.signaturesChecked > 0,
      countedDeliveriesExpected: expected,
      countedDeliveriesArrivedOnce: delivered,
      requestsSeen: this.requestsSeen,
      signaturesChecked: this.signaturesChecked,
      problems,
    };
  }
}
