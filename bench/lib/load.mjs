// Load generation for systems that accept events through `submit(scope, count)`: either as fast as
// the system delivers (with a bounded backlog) or at a fixed rate.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const now = () => performance.timeOrigin + performance.now();

/**
 * Drives `system` until `until` (epoch ms) and resolves with every acknowledged event
 * (`{ eventId, ackAt }`) and the refusals by status.
 *
 * - `saturate`: batches of `batchSize` are sent whenever fewer than `backlog` deliveries to the
 *   counted endpoints are outstanding (sent but not yet received), so the system runs flat out
 *   while what it has not yet delivered stays bounded — the sustained rate, not a burst into Kafka.
 * - `rate`: every `tickMs`, the events due at `rate` per second so far are sent in one request,
 *   without waiting for earlier requests (open loop).
 */
export async function drive({ system, scope, load, until, receivers, countedKeys, maxInFlight = 4 }) {
  const events = [];
  const refusals = {};
  const inFlight = new Set();
  let submitted = 0;
  const send = (count) => {
    submitted += count;
    const pending = system.submit(scope, count).then((result) => {
      if (result.ok) for (const event of result.events) events.push(event);
      else {
        // Refused events will never be delivered: they no longer count as outstanding.
        submitted -= count;
        const key = String(result.status);
        refusals[key] = refusals[key] ?? { count: 0, example: result.detail };
        refusals[key].count += count;
      }
      inFlight.delete(pending);
    });
    inFlight.add(pending);
  };

  if (load.mode === 'saturate') {
    const perEvent = countedKeys.length;
    const base = receivers.total(countedKeys);
    while (now() < until) {
      const outstanding = submitted * perEvent - (receivers.total(countedKeys) - base);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      else if (outstanding > 0 && outstanding + load.batchSize * perEvent > load.backlog)
        await receivers.nextUpdate(20);
      else send(load.batchSize);
    }
  } else {
    const started = now();
    let due = 0;
    while (now() < until) {
      const target = Math.floor(((now() - started) / 1000) * load.rate);
      while (due < target) {
        // 200 events of ~1 KiB stay well inside ingest's default 256 KiB request limit.
        const count = Math.min(target - due, load.maxBatch ?? 200);
        due += count;
        send(count);
      }
      await sleep(load.tickMs ?? 5);
    }
  }
  await Promise.all(inFlight);
  return { events, submitted, refusals };
}
