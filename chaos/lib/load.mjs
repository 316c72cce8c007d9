// Steady load at a fixed rate, as producers of events would offer it: most events through ingest's
// REST API, one request per event with an `Idempotency-Key`, retried with the same key until
// acknowledged (or until its retry window closes); the rest written straight to the ingest topic.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { EVENT_TYPE, eventData } from '../../bench/lib/webhook-body.mjs';

const now = () => performance.timeOrigin + performance.now();

// Answers after which the same request is worth sending again: ingest could not reach a dependency,
// or a request with the same key is still in flight.
const RETRYABLE = new Set([0, 408, 409, 425, 429, 500, 502, 503, 504]);
const TICK_MS = 10;
// Bounds one event's requests in number as the retry window bounds them in time.
const MAX_TRIES = 500;

/**
 * Starts offering `rate` events per second, spread over `tenants` in turn; the part `kafkaShare`
 * goes to `producer` (the console producer) with ids of the suite's own, the rest to ingest at
 * `ingestUrl`. `stop()` ends the offer, waits for the requests still being retried, and resolves
 * with every acknowledged REST event, every event written to the producer, and what went wrong.
 */
export function startLoad({
  ingestUrl,
  tenants,
  producer,
  rate,
  kafkaShare,
  tag,
  retryWindowMs,
  maxInFlight = 512,
}) {
  const pool = new Pool(ingestUrl, {
    connections: 32,
    pipelining: 1,
    connectTimeout: 2_000,
    // Ingest may hold a request while one with the same key is still in flight (up to 30 s).
    headersTimeout: 45_000,
    bodyTimeout: 45_000,
  });
  const accepted = [];
  const written = [];
  const unacknowledged = [];
  const failures = {};
  const rest = { requests: 0, retried: 0, acknowledgedAfterRetry: 0 };
  const inFlight = new Set();
  const startedAt = now();
  let seq = 0;
  let offering = true;

  const note = (what) => (failures[what] = (failures[what] ?? 0) + 1);

  async function sendRest(n, tenant, subject) {
    const body = JSON.stringify({ type: EVENT_TYPE, data: eventData(tag, n) });
    const headers = {
      'content-type': 'application/json',
      'idempotency-key': `${tag}-${n}`,
      ...tenant.auth,
    };
    const deadline = now() + retryWindowMs;
    for (let tries = 1; ; tries += 1) {
      rest.requests += 1;
      let status = 0;
      let detail;
      try {
        const response = await pool.request({ path: '/v1/events', method: 'POST', headers, body });
        const text = await response.body.text();
        status = response.statusCode;
        if (status === 202) {
          accepted.push({
            eventId: JSON.parse(text).id,
            tenantId: tenant.tenantId,
            via: 'rest',
            subject,
            tries,
          });
          if (tries > 1) rest.acknowledgedAfterRetry += 1;
          return;
        }
        detail = `HTTP ${status}`;
      } catch (error) {
        detail = error.code ?? error.name ?? 'error';
      }
      note(detail);
      if (!RETRYABLE.has(status) || now() > deadline || tries >= MAX_TRIES) {
        unacknowledged.push({ subject, tenantId: tenant.tenantId, tries, last: detail });
        return;
      }
      rest.retried += 1;
      await sleep(Math.min(250 * tries, 1_000));
    }
  }

  function offer(n) {
    const tenant = tenants[n % tenants.length];
    const subject = `user_${tag}_${n}`;
    // Every (1 / kafkaShare)-th event, evenly spread, goes to the topic.
    if (Math.floor((n + 1) * kafkaShare) > Math.floor(n * kafkaShare)) {
      const eventId = `evt_${tag}_${n}`;
      const value = JSON.stringify({ id: eventId, type: EVENT_TYPE, data: eventData(tag, n) });
      if (producer.send({ tenantId: tenant.tenantId, key: `${tenant.tenantId}:${subject}`, value }))
        written.push({ eventId, tenantId: tenant.tenantId, via: 'kafka', subject });
      else note('console producer not running');
      return;
    }
    const pending = sendRest(n, tenant, subject).finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  }

  const timer = setInterval(() => {
    if (!offering) return;
    const due = Math.floor(((now() - startedAt) / 1000) * rate);
    // A full in-flight set holds new events back instead of piling up requests without bound.
    while (seq < due && inFlight.size < maxInFlight) offer(seq++);
  }, TICK_MS);

  return {
    /** Events offered so far. */
    offered: () => seq,
    /** REST events acknowledged so far. */
    acknowledged: () => accepted.length,
    async stop() {
      offering = false;
      clearInterval(timer);
      const stoppedAt = now();
      const behind = Math.max(0, Math.floor(((stoppedAt - startedAt) / 1000) * rate) - seq);
      await Promise.all(inFlight);
      await pool.close();
      return {
        offered: seq,
        behind,
        seconds: Math.round((stoppedAt - startedAt) / 100) / 10,
        rest: { ...rest, acknowledged: accepted.length, unacknowledged: unacknowledged.length, failures },
        accepted,
        written,
        unacknowledged,
      };
    },
  };
}
