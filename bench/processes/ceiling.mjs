// The ceiling baseline: a bare undici loop in its own process posting the same signed bodies to the
// same receivers, with no queue, no broker and no database in between — as fast as HTTP on this
// machine goes with the dispatcher's per-endpoint concurrency.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { renderEvent, signedHeaders } from '../lib/webhook-body.mjs';

const now = () => performance.timeOrigin + performance.now();

async function post(agent, endpoint, event) {
  const deliveryId = `delivery_${event.id.slice(4)}_${endpoint.key}`;
  try {
    const response = await request(endpoint.url, {
      method: 'POST',
      dispatcher: agent,
      headers: signedHeaders({ eventId: event.id, deliveryId, body: event.body, secret: endpoint.secret }),
      body: event.body,
    });
    await response.body.dump();
    return response.statusCode < 300;
  } catch {
    return false;
  }
}

async function run({ mode, endpoints, concurrencyPerEndpoint, until, rate, tickMs = 5, tag }) {
  const agent = new Agent({ connections: concurrencyPerEndpoint, keepAliveTimeout: 30_000, pipelining: 1 });
  const events = [];
  let failures = 0;
  let seq = 0;
  const create = () => {
    const event = { ...renderEvent(tag, seq++, endpoints.length), ackAt: now() };
    events.push(event);
    return event;
  };
  if (mode === 'saturate') {
    // Each endpoint walks the same list of events with its own cursor; the first to need an event
    // creates it, and every event created goes to every endpoint.
    await Promise.all(
      endpoints.map(async (endpoint) => {
        let cursor = 0;
        const lane = async () => {
          for (;;) {
            const index = cursor++;
            const event = index < events.length ? events[index] : now() < until ? create() : undefined;
            if (!event) return;
            if (!(await post(agent, endpoint, event))) failures += 1;
          }
        };
        await Promise.all(Array.from({ length: concurrencyPerEndpoint }, lane));
      }),
    );
  } else {
    const started = now();
    const sends = [];
    let due = 0;
    while (now() < until) {
      const target = Math.floor(((now() - started) / 1000) * rate);
      for (; due < target; due += 1) {
        const event = create();
        for (const endpoint of endpoints)
          sends.push(post(agent, endpoint, event).then((ok) => (ok ? undefined : (failures += 1))));
      }
      await sleep(tickMs);
    }
    await Promise.all(sends);
  }
  await agent.close();
  return { events: events.map((event) => ({ eventId: event.id, ackAt: event.ackAt })), failures };
}

process.on('message', async (message) => {
  try {
    process.send({ id: message.id, ok: true, ...(await run(message)) });
  } catch (error) {
    process.send({
      id: message.id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ op: 'ready' });
