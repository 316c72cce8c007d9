// One measured run ("phase") of a scenario against one system, and the scenario plans.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { drive } from './load.mjs';
import { pidsNamed, startResourceWindow } from './resources.mjs';
import { latencySummary } from './stats.mjs';

const now = () => performance.timeOrigin + performance.now();

/** `count` endpoints of one role, answering as `behaviour` says once routing is confirmed. */
export function endpoints(count, role, behaviour = { status: 200, delayMs: 0 }) {
  return Array.from({ length: count }, () => ({ role, behaviour }));
}

/**
 * Runs one phase: opens receivers, registers the endpoints with the system, confirms routing, drives
 * the load for warm-up + measurement, waits for every counted delivery, checks the receivers' logs
 * against the ledger and removes the endpoints. Resolves with the figures of the measured window.
 *
 * `spec`: `{ id, scenario, title, endpoints, load, warmupMs, measureMs, measureResources }`.
 */
export async function runPhase(ctx, system, spec) {
  const { receivers, ledger, log } = ctx;
  const keys = spec.endpoints.map((_, i) => `${system.name}/${spec.id}/${i}`);
  const roleOf = Object.fromEntries(keys.map((key, i) => [key, spec.endpoints[i].role]));
  const countedKeys = keys.filter((key) => roleOf[key] === 'counted');
  const urls = await receivers.open(keys.map((key) => ({ key, status: 200, delayMs: 0 })));
  const scope = await system.createScope(spec.id);
  const created = await system.addEndpoints(
    scope,
    keys.map((key) => ({ key, url: urls[key] })),
  );
  for (const endpoint of created)
    ledger.addEndpoint(endpoint.key, { role: roleOf[endpoint.key], secret: endpoint.secret });
  ctx.openKeys.push(...keys);
  if (system.waitUntilRouted) await system.waitUntilRouted(scope, keys, receivers, ledger);
  for (const [i, key] of keys.entries()) {
    const { behaviour } = spec.endpoints[i];
    if (behaviour.status !== 200 || behaviour.delayMs !== 0) await receivers.configure(key, behaviour);
  }
  const countersBefore = system.counters ? await system.counters() : undefined;
  const baseline = receivers.total(countedKeys);

  const startedAt = now();
  // The same window on the monotonic clock, in µs: V8 CPU profiles are stamped with it.
  const monotonicStartUs = Number(process.hrtime.bigint() / 1000n);
  const windowStart = startedAt + spec.warmupMs;
  const windowEnd = windowStart + spec.measureMs;
  let resources;
  const resourceTimer = spec.measureResources
    ? setTimeout(() => {
        const processes = [
          ...ctx.processes(system, scope),
          { name: 'receivers', pid: receivers.pid },
          { name: 'load generator', pid: process.pid },
        ];
        const groups =
          system.name === 'hookline'
            ? [{ name: 'postgres (all server processes)', pids: pidsNamed('postgres') }]
            : [];
        resources = startResourceWindow(processes, { groups });
      }, spec.warmupMs)
    : undefined;
  log(`  ${system.name} ${spec.id}: ${spec.title}`);
  const driven = system.drive
    ? await system.drive({ scope, load: spec.load, until: windowEnd })
    : await drive({ system, scope, load: spec.load, until: windowEnd, receivers, countedKeys });
  clearTimeout(resourceTimer);
  const resourceUsage = resources?.stop();

  const expected = driven.events.length * countedKeys.length;
  const drainStarted = Date.now();
  let drained = await receivers.waitForTotal(countedKeys, baseline + expected, ctx.drainMs());
  const drainMs = Date.now() - drainStarted;
  // A moment for any duplicate that follows on the heels of the last delivery.
  await sleep(300);
  ledger.expect(keys, driven.events);
  const logs = await receivers.collect(keys);
  const delivered = [];
  const byRole = {
    counted: { requests: 0, ok: 0 },
    slow: { requests: 0, ok: 0 },
    failing: { requests: 0, ok: 0 },
  };
  let bodyBytes = 0;
  let requests = 0;
  for (const key of keys) {
    const absorbed = ledger.absorb(key, logs[key]);
    bodyBytes += absorbed.bodyBytes;
    requests += absorbed.requests;
    byRole[roleOf[key]].requests += absorbed.requests;
    byRole[roleOf[key]].ok += absorbed.delivered.length;
    // A loop, not push(...spread): a run can hold more deliveries than a call takes arguments.
    if (roleOf[key] === 'counted') for (const d of absorbed.delivered) delivered.push(d);
  }
  // Late deliveries still count if they arrive before the system's last check (see finalSweep).
  const missing = ledger.outstanding(countedKeys);
  // The last ones may have come in while the logs were being collected.
  drained ||= missing === 0;
  if (drained) await system.removeEndpoints(scope, created);
  else {
    // Removing an endpoint drops what is still queued for it, so endpoints still owed deliveries
    // stay registered until the final check; the slow and failing ones go now where possible.
    const owed = created.filter((endpoint) => roleOf[endpoint.key] === 'counted');
    if (system.removesEndpointsOneByOne) {
      await system.removeEndpoints(
        scope,
        created.filter((endpoint) => roleOf[endpoint.key] !== 'counted'),
      );
      ctx.owed.push({ scope, endpoints: owed });
    } else ctx.owed.push({ scope, endpoints: created });
  }
  const countersAfter = system.counters ? await system.counters() : undefined;

  const seconds = spec.measureMs / 1000;
  const inWindow = delivered.filter((d) => d.at >= windowStart && d.at < windowEnd).length;
  const latencies = [];
  for (const d of delivered)
    if (d.ackAt >= windowStart && d.ackAt < windowEnd) latencies.push(d.at - d.ackAt);
  const acked = driven.events.filter((e) => e.ackAt >= windowStart && e.ackAt < windowEnd).length;
  const result = {
    id: spec.id,
    scenario: spec.scenario,
    title: spec.title,
    system: system.name,
    endpoints: Object.fromEntries(
      Object.entries(byRole)
        .map(([role]) => [role, keys.filter((key) => roleOf[key] === role).length])
        .filter(([, n]) => n > 0),
    ),
    load: spec.load,
    warmupMs: spec.warmupMs,
    measureMs: spec.measureMs,
    monotonicWindowUs: [
      monotonicStartUs + spec.warmupMs * 1000,
      monotonicStartUs + (spec.warmupMs + spec.measureMs) * 1000,
    ],
    eventsAcknowledged: driven.events.length,
    eventsPerSecond: Math.round(acked / seconds),
    refusals: driven.refusals,
    deliveriesPerSecond: Math.round(inWindow / seconds),
    latencyMs: latencySummary(latencies),
    meanBodyBytes: requests ? Math.round(bodyBytes / requests) : null,
    requestsByRole: byRole,
    drained,
    drainMs,
    missing,
    ...(countersBefore && countersAfter ? { platformCounters: diff(countersBefore, countersAfter) } : {}),
    ...(resourceUsage ? { resources: resourceUsage } : {}),
    ...(system.tuning ? { tuning: { ...system.tuning } } : {}),
  };
  log(
    `    ${result.deliveriesPerSecond} deliveries/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms` +
      `${drained ? '' : `, ${missing} deliveries still outstanding after ${Math.round(drainMs / 1000)} s`}`,
  );
  return result;
}

function diff(before, after) {
  const out = {};
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before[key] ?? 0);
    if (delta !== 0) out[key] = delta;
  }
  return out;
}

/**
 * The system's last check: waits (up to `ctx.drainMs()`) for deliveries still owed by runs that did
 * not drain, collects whatever reached its endpoints after their runs (late deliveries, late
 * duplicates), records every counted delivery still missing, and removes and closes the endpoints.
 */
export async function finalSweep(ctx, system, settleMs) {
  const deadline = Date.now() + ctx.drainMs();
  await sleep(settleMs);
  const absorbAll = async () => {
    const logs = await ctx.receivers.collect(ctx.openKeys);
    for (const key of ctx.openKeys) if (logs[key]) ctx.ledger.absorb(key, logs[key]);
  };
  await absorbAll();
  const owedKeys = ctx.owed.flatMap((entry) => entry.endpoints.map((endpoint) => endpoint.key));
  while (owedKeys.length > 0 && ctx.ledger.outstanding(owedKeys) > 0 && Date.now() < deadline) {
    await sleep(1000);
    await absorbAll();
  }
  for (const entry of ctx.owed.splice(0)) await system.removeEndpoints(entry.scope, entry.endpoints);
  ctx.ledger.recordMissing();
  await ctx.receivers.close(ctx.openKeys);
  ctx.openKeys.length = 0;
}

/** Phases of scenarios 1–4 for one system, per the profile; `which` filters scenarios. */
export function plan(profile, which, { isolation = true } = {}) {
  const phases = [];
  const t = profile.throughput;
  if (which.has('throughput')) {
    for (const fanout of t.fanouts) {
      phases.push({
        id: `throughput-fanout-${fanout}`,
        scenario: 'throughput',
        title: `sustained throughput, fan-out ${fanout}`,
        endpoints: endpoints(fanout, 'counted'),
        load: { mode: 'saturate', batchSize: t.batchSize, backlog: t.backlogPerEndpoint * fanout },
        warmupMs: t.warmupMs,
        measureMs: t.measureMs,
        measureResources: true,
        fanout,
      });
    }
  }
  const l = profile.latency;
  if (which.has('latency')) {
    for (const rate of l.rates) {
      phases.push({
        id: `latency-${rate}`,
        scenario: 'latency',
        title: `end-to-end latency at ${rate} events/s, fan-out 1`,
        endpoints: endpoints(1, 'counted'),
        load: { mode: 'rate', rate, tickMs: l.tickMs },
        warmupMs: l.warmupMs,
        measureMs: l.measureMs,
        rate,
      });
    }
  }
  if (!isolation) return phases;
  const i = profile.isolation;
  const rateLoad = { mode: 'rate', rate: i.rate, tickMs: l.tickMs };
  // Flat out with five counted endpoints.
  const saturateLoad = { mode: 'saturate', batchSize: t.batchSize, backlog: t.backlogPerEndpoint * 5 };
  const timing = { warmupMs: i.warmupMs, measureMs: i.measureMs };
  if (which.has('slow')) {
    phases.push(
      {
        id: 'slow-alone',
        scenario: 'slow',
        title: `9 fast endpoints alone at ${i.rate} events/s`,
        endpoints: endpoints(9, 'counted'),
        load: rateLoad,
        ...timing,
      },
      {
        id: 'slow-neighbour',
        scenario: 'slow',
        title: `9 fast endpoints + 1 answering after ${i.slowDelayMs / 1000} s, at ${i.rate} events/s`,
        endpoints: [
          ...endpoints(9, 'counted'),
          ...endpoints(1, 'slow', { status: 200, delayMs: i.slowDelayMs }),
        ],
        load: rateLoad,
        ...timing,
      },
    );
  }
  if (which.has('storm')) {
    phases.push(
      {
        id: 'storm-alone-rate',
        scenario: 'storm',
        title: `5 healthy endpoints alone at ${i.rate} events/s`,
        endpoints: endpoints(5, 'counted'),
        load: rateLoad,
        ...timing,
      },
      {
        id: 'storm-failing-rate',
        scenario: 'storm',
        title: `5 healthy + 5 answering 500, at ${i.rate} events/s`,
        endpoints: [...endpoints(5, 'counted'), ...endpoints(5, 'failing', { status: 500, delayMs: 0 })],
        load: rateLoad,
        ...timing,
      },
      {
        id: 'storm-alone-saturate',
        scenario: 'storm',
        title: '5 healthy endpoints alone, flat out',
        endpoints: endpoints(5, 'counted'),
        load: saturateLoad,
        ...timing,
      },
      {
        id: 'storm-failing-saturate',
        scenario: 'storm',
        title: '5 healthy + 5 answering 500, flat out',
        endpoints: [...endpoints(5, 'counted'), ...endpoints(5, 'failing', { status: 500, delayMs: 0 })],
        load: saturateLoad,
        ...timing,
      },
    );
  }
  return phases;
}
