// One scenario from start to finish: a fresh stack, routing confirmed, steady load with the faults
// injected part way, the drain, the accounting against the receivers, and the delivery log audit.
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../../bench/lib/infra.mjs';
import { auditDeliveryLog, retryPolicyOf } from './attempt-audit.mjs';
import { idsOnIngestTopic, refusedByIngest, startConsoleProducer, topicSizes } from './kafka-path.mjs';
import { startLoad } from './load.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { summariseServiceLogs } from './service-logs.mjs';
import { startStack } from './stack.mjs';
import { DeliveryTally } from './tally.mjs';

const require = createRequire(import.meta.url);
const { DEAD_LETTER_TOPIC, INGEST_INVALID_TOPIC } = require('@hookline/events');

const now = () => performance.timeOrigin + performance.now();
const round1 = (value) => Math.round(value * 10) / 10;

/** Collects the receivers' logs into `tally` every second until `stop()`. */
function collectEvery(receivers, keys, tally) {
  let running = true;
  const absorb = async () => {
    const logs = await receivers.collect(keys);
    for (const key of keys) if (logs[key]) tally.absorb(key, logs[key]);
  };
  const loop = (async () => {
    while (running) {
      await absorb();
      await sleep(1_000);
    }
  })();
  return {
    absorb,
    async stop() {
      running = false;
      await loop;
      await absorb();
    },
  };
}

/**
 * Runs scenario `id`. Resolves with its record (figures, timeline, diagnosis); a scenario that could
 * not run to the end has `error` set. Nothing of it outlives the call.
 */
export async function runScenario({
  id,
  index,
  runTag,
  options,
  receivers,
  producerClasspath,
  workDir,
  stopLater,
  log,
}) {
  const scenario = SCENARIOS[id];
  const { profile } = options;
  const logDir = join(workDir, id);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const tag = `${runTag}s${index}`;
  const loadTag = `${tag}L`;
  const record = {
    id,
    title: scenario.title,
    description: scenario.describe(profile),
    startedAt: new Date().toISOString(),
    drainLimitMs: profile.drainMs,
    timeline: [],
  };
  log(`Scenario ${id}: ${scenario.title}`);
  let stack;
  let load;
  let producer;
  let collector;
  try {
    stack = await startStack({
      id,
      tag,
      options,
      receivers,
      logDir,
      privatePostgres: scenario.privatePostgres === true,
      stopLater,
      log,
    });
    record.database = stack.postgres ? stack.postgres.kind : 'the local server';
    record.postgresVersion = stack.database.version;
    const policy = retryPolicyOf(stack.hookline.env);
    record.retrySchedule = { delaysMs: policy.delaysMs, jitterRatio: policy.jitterRatio };
    const tally = new DeliveryTally(
      stack.endpoints.map((endpoint) => ({ key: endpoint.key, tenantId: endpoint.tenantId })),
      { shortestRetryMs: Math.min(...policy.delaysMs) },
    );
    const keys = stack.endpoints.map((endpoint) => endpoint.key);
    await stack.waitUntilRouted(tally);
    // Routing probes are not part of the figures.
    await receivers.collect(keys);
    collector = collectEvery(receivers, keys, tally);

    producer = await startConsoleProducer({
      brokers: stack.broker.brokers,
      classpath: producerClasspath,
      logFile: join(logDir, 'console-producer.log'),
    });
    const loadStart = now();
    const mark = (event) => {
      const atSeconds = round1((now() - loadStart) / 1000);
      record.timeline.push({ atSeconds, event });
      log(`    +${atSeconds.toFixed(1)} s ${event}`);
    };
    log(
      `  Load: ${profile.rate} events/s (${Math.round(profile.kafkaShare * 100)} % through the console producer)`,
    );
    load = startLoad({
      ingestUrl: stack.hookline.services.ingest.url,
      tenants: stack.tenants,
      producer,
      rate: profile.rate,
      kafkaShare: profile.kafkaShare,
      tag: loadTag,
      retryWindowMs: profile.retryWindowMs,
    });
    const progress = setInterval(() => {
      log(
        `    +${((now() - loadStart) / 1000).toFixed(0)} s offered ${load.offered()}, REST acknowledged ${load.acknowledged()}`,
      );
    }, 15_000);
    try {
      if (!scenario.baseline) {
        await sleep(profile.leadMs);
        await scenario.plan({ stack, receivers, profile, mark });
      }
      const until = Math.max(
        loadStart + profile.durationMs,
        now() + (scenario.baseline ? 0 : profile.tailMs),
      );
      await sleep(Math.max(0, until - now()));
    } finally {
      clearInterval(progress);
    }
    const faultsEndedAt = now();
    mark('load stopped');
    const offered = await load.stop();
    load = undefined;
    for (const event of offered.accepted) tally.accept(event);

    // What the console producer wrote is accepted when the topic holds it, whatever the tool said.
    const producerOutcome = await producer.close();
    producer = undefined;
    const onTopic = await idsOnIngestTopic(stack.broker.brokers, (eventId) =>
      eventId.startsWith(`evt_${loadTag}_`),
    );
    for (const event of offered.written) if (onTopic.has(event.eventId)) tally.accept(event);
    record.load = {
      rate: profile.rate,
      seconds: offered.seconds,
      offered: offered.offered,
      behind: offered.behind,
      rest: offered.rest,
      kafka: {
        written: offered.written.length,
        onTopic: onTopic.size,
        producerExit: producerOutcome.exitCode,
        producerSignal: producerOutcome.signal,
        ...(producerOutcome.writeError ? { writeError: producerOutcome.writeError } : {}),
      },
    };

    log(`  Draining (up to ${profile.drainMs / 1000} s after the load and faults)`);
    const deadline = faultsEndedAt + profile.drainMs;
    let lastReport = now();
    for (;;) {
      await collector.absorb();
      const outstanding = tally.outstanding();
      if (outstanding === 0 || now() > deadline) break;
      if (now() - lastReport > 15_000) {
        log(`    ${outstanding} deliveries outstanding`);
        lastReport = now();
      }
      await sleep(1_000);
    }
    // Late duplicates (a redelivery on the heels of the last delivery) still count.
    await sleep(profile.settleMs);
    await collector.stop();
    collector = undefined;

    const summary = tally.summary({ faultsEndedAt });
    const endpointIdOf = Object.fromEntries(stack.endpoints.map((endpoint) => [endpoint.key, endpoint.id]));
    // Valid events of the suite's that ingest set aside as invalid, and why.
    const refused = await refusedByIngest(stack.broker.brokers, (eventId) =>
      eventId.startsWith(`evt_${loadTag}_`),
    );
    record.refusedByIngest = { events: refused.size, reasons: {} };
    for (const reason of refused.values())
      record.refusedByIngest.reasons[reason] = (record.refusedByIngest.reasons[reason] ?? 0) + 1;
    record.deliveryLog = await auditDeliveryLog(stack.database.url, {
      endpointIds: stack.endpoints.map((endpoint) => endpoint.id),
      delaysMs: policy.delaysMs,
      lost: tally.lostPairs().map((pair) => ({
        ...pair,
        endpointId: endpointIdOf[pair.endpoint],
        refusedByIngest: refused.get(pair.eventId),
      })),
    });
    record.topics = await topicSizes(stack.broker.brokers, [DEAD_LETTER_TOPIC, INGEST_INVALID_TOPIC]);
    record.figures = {
      accepted: summary.accepted,
      expected: summary.expected,
      delivered: summary.delivered,
      lost: summary.lost,
      duplicates: summary.duplicates,
      duplicatePercent: summary.duplicatePercent,
      earlyRetries: record.deliveryLog.retries.early,
      retriesChecked: record.deliveryLog.retries.retriesChecked,
      badSignatures: summary.signatures.bad,
      signaturesChecked: summary.signatures.checked,
      drainMs: summary.drainMs,
    };
    record.details = {
      lostByEndpoint: summary.lostByEndpoint,
      lostByVia: summary.lostByVia,
      duplicateExamples: summary.duplicateExamples,
      unexpected: summary.unexpected,
      quickRepeats: summary.quickRepeats,
      perEndpoint: summary.perEndpoint,
      badSignatureExamples: summary.signatures.examples,
      requestsWithoutEventId: summary.requestsWithoutEventId,
      unacknowledgedRequests: offered.unacknowledged.slice(0, 10),
    };
    const f = record.figures;
    log(
      `  ${id}: accepted ${f.accepted.total}, expected ${f.expected}, delivered ${f.delivered}, lost ${f.lost}, ` +
        `duplicates ${f.duplicates}, early retries ${f.earlyRetries}, bad signatures ${f.badSignatures}, ` +
        `drain ${f.drainMs === null ? 'not drained' : `${round1(f.drainMs / 1000)} s`}`,
    );
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
    log(`  ${id} could not run to the end: ${record.error}`);
  } finally {
    await load?.stop().catch(() => undefined);
    await producer?.close(10_000).catch(() => undefined);
    await collector?.stop().catch(() => undefined);
    if (stack) {
      log('  Stopping the stack');
      await stack.stop();
    }
    record.serviceLogs = summariseServiceLogs(logDir);
    record.logDir = relative(ROOT, logDir);
    record.finishedAt = new Date().toISOString();
  }
  return record;
}
