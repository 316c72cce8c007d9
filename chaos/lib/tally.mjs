// The suite's delivery accounting: every request the receivers logged, against every event the
// platform accepted. A pair is one event at one endpoint; it is expected once for every endpoint
// of the event's tenant, delivered once an answer to it was 2xx, and every further 2xx for it is a
// duplicate.
const MAX_EXAMPLES = 10;

/** Per-pair request history and per-endpoint totals, fed from receiver logs as they are collected. */
export class DeliveryTally {
  /**
   * `endpoints`: `[{ key, tenantId }]`. `shortestRetryMs`: the first retry delay, below which a
   * request that follows a failed one for the same pair is noted (from the receivers' clock).
   */
  constructor(endpoints, { shortestRetryMs }) {
    this.endpointsOf = new Map();
    for (const { key, tenantId } of endpoints) {
      this.endpointsOf.set(tenantId, [...(this.endpointsOf.get(tenantId) ?? []), key]);
    }
    this.keys = endpoints.map((endpoint) => endpoint.key);
    this.shortestRetryMs = shortestRetryMs;
    /** @type {Map<string, { eventId: string, tenantId: string, via: string, subject: string }>} */
    this.events = new Map();
    this.probes = new Set();
    /** @type {Map<string, { firstOkAt: number | undefined, ok: number, lastAt: number, lastStatus: number }>} */
    this.pairs = new Map();
    this.subjects = new Map();
    this.perEndpoint = Object.fromEntries(
      this.keys.map((key) => [key, { requests: 0, ok: 0, failed: 0, duplicates: 0 }]),
    );
    this.signatures = { checked: 0, bad: 0, examples: [] };
    this.quickRepeats = { count: 0, examples: [] };
    this.requestsWithoutEventId = 0;
  }

  /** An event the platform accepted (`via`: `rest` or `kafka`); each endpoint of its tenant owes it. */
  accept({ eventId, tenantId, via, subject }) {
    this.events.set(eventId, { eventId, tenantId, via, subject });
    if (subject) this.subjects.set(subject, eventId);
  }

  /** A routing probe: sent before the measurement, never counted. */
  addProbe(eventId) {
    this.probes.add(eventId);
  }

  /** Takes one endpoint's log as the receivers return it (`eventIds`, `at`, `status`, `subjects`, `signatures`). */
  absorb(key, log) {
    const endpoint = this.perEndpoint[key];
    for (let i = 0; i < log.eventIds.length; i += 1) {
      const eventId = log.eventIds[i];
      const status = log.status[i];
      const at = log.at[i];
      const ok = status >= 200 && status < 300;
      endpoint.requests += 1;
      if (ok) endpoint.ok += 1;
      else endpoint.failed += 1;
      if (!eventId) {
        this.requestsWithoutEventId += 1;
        continue;
      }
      const id = `${key} ${eventId}`;
      let pair = this.pairs.get(id);
      if (!pair) {
        pair = { key, eventId, firstOkAt: undefined, ok: 0, lastAt: 0, lastStatus: 0, subject: '' };
        this.pairs.set(id, pair);
      }
      if (log.subjects?.[i]) pair.subject = log.subjects[i];
      const previousFailed = pair.lastAt > 0 && !(pair.lastStatus >= 200 && pair.lastStatus < 300);
      if (previousFailed && at - pair.lastAt < this.shortestRetryMs) {
        this.quickRepeats.count += 1;
        if (this.quickRepeats.examples.length < MAX_EXAMPLES)
          this.quickRepeats.examples.push({ endpoint: key, eventId, afterMs: Math.round(at - pair.lastAt) });
      }
      pair.lastAt = at;
      pair.lastStatus = status;
      if (!ok) continue;
      pair.ok += 1;
      pair.firstOkAt ??= at;
    }
    const signatures = log.signatures;
    if (signatures) {
      this.signatures.checked += signatures.checked;
      this.signatures.bad += signatures.bad;
      for (const example of signatures.examples) {
        if (this.signatures.examples.length < MAX_EXAMPLES)
          this.signatures.examples.push({ endpoint: key, ...example });
      }
    }
  }

  /** Expected pairs, as `[event, endpoint key]`. */
  *expectedPairs() {
    for (const event of this.events.values()) {
      for (const key of this.endpointsOf.get(event.tenantId) ?? []) yield [event, key];
    }
  }

  /** Expected pairs with no 2xx answer yet. */
  outstanding() {
    let count = 0;
    for (const [event, key] of this.expectedPairs()) {
      if (this.pairs.get(`${key} ${event.eventId}`)?.firstOkAt === undefined) count += 1;
    }
    return count;
  }

  /** The expected pairs never delivered, as `[{ eventId, endpoint, via }]`. */
  lostPairs() {
    const lost = [];
    for (const [event, key] of this.expectedPairs()) {
      if (this.pairs.get(`${key} ${event.eventId}`)?.firstOkAt === undefined)
        lost.push({ eventId: event.eventId, endpoint: key, via: event.via });
    }
    return lost;
  }

  /**
   * The scenario's figures. `faultsEndedAt`: end of load and faults (epoch ms); the drain time runs
   * from then to the first 2xx of the last expected pair to arrive.
   */
  summary({ faultsEndedAt }) {
    const accepted = { total: this.events.size, rest: 0, kafka: 0 };
    for (const event of this.events.values()) accepted[event.via] += 1;
    let expected = 0;
    let delivered = 0;
    let duplicates = 0;
    let lastFirstOk = 0;
    const lostByEndpoint = {};
    const lostByVia = { rest: 0, kafka: 0 };
    const duplicateExamples = [];
    for (const [event, key] of this.expectedPairs()) {
      expected += 1;
      const pair = this.pairs.get(`${key} ${event.eventId}`);
      if (pair?.firstOkAt === undefined) {
        lostByEndpoint[key] = (lostByEndpoint[key] ?? 0) + 1;
        lostByVia[event.via] += 1;
        continue;
      }
      delivered += 1;
      lastFirstOk = Math.max(lastFirstOk, pair.firstOkAt);
      if (pair.ok > 1) {
        duplicates += pair.ok - 1;
        this.perEndpoint[key].duplicates += pair.ok - 1;
        if (duplicateExamples.length < MAX_EXAMPLES)
          duplicateExamples.push({ endpoint: key, eventId: event.eventId, via: event.via, times: pair.ok });
      }
    }
    const lost = expected - delivered;
    return {
      accepted,
      expected,
      delivered,
      lost,
      lostByEndpoint,
      lostByVia,
      duplicates,
      duplicatePercent: delivered > 0 ? (duplicates / delivered) * 100 : 0,
      duplicateExamples,
      drainMs: lost === 0 && expected > 0 ? Math.max(0, Math.round(lastFirstOk - faultsEndedAt)) : null,
      unexpected: this.unexpected(),
      signatures: this.signatures,
      requestsWithoutEventId: this.requestsWithoutEventId,
      quickRepeats: this.quickRepeats,
      perEndpoint: this.perEndpoint,
    };
  }

  /**
   * Events that reached a receiver although the platform never acknowledged them: either a second
   * event for a subject whose event was acknowledged under another id (one request published
   * twice), or one whose request never got an answer within its retry window.
   */
  unexpected() {
    const result = { events: 0, doubledEvents: 0, doubledDeliveries: 0, unacknowledged: 0, examples: [] };
    const seen = new Set();
    for (const pair of this.pairs.values()) {
      if (this.events.has(pair.eventId) || this.probes.has(pair.eventId)) continue;
      const acceptedAs = pair.subject ? this.subjects.get(pair.subject) : undefined;
      if (acceptedAs !== undefined) result.doubledDeliveries += pair.ok;
      if (seen.has(pair.eventId)) continue;
      seen.add(pair.eventId);
      result.events += 1;
      if (acceptedAs !== undefined) result.doubledEvents += 1;
      else result.unacknowledged += 1;
      if (result.examples.length < MAX_EXAMPLES)
        result.examples.push({
          eventId: pair.eventId,
          subject: pair.subject,
          acceptedAs: acceptedAs ?? null,
        });
    }
    return result;
  }
}
