// The fuzz suite: on a real stack (Kafka, PostgreSQL, the ingest and subscription services as
// processes) it sends seeded malformed requests to ingest, the subscription REST API and its gRPC
// admin API, and checks that every one is answered, in time, without a server error, and — when
// refused — with a JSON error naming the problem; that both services are still alive and ready
// afterwards; and that neither one's memory grew past a bound. Writes report.json.
import { mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createCleanups } from '../../bench/lib/cleanups.mjs';
import { NODE, ROOT } from '../../bench/lib/infra.mjs';
import { GRPC_SHARE, generateCase } from './cases.mjs';
import { judge } from './checks.mjs';
import { authorizationValues, grpcClient, loadCodec } from './grpc-client.mjs';
import { sampleMemory } from './memory.mjs';
import { readOptions } from './options.mjs';
import { exchange, serialiseRequest } from './raw-http.mjs';
import { describeCase, summaryLines, tally, writeReport } from './report.mjs';
import { isReady, startFuzzStack } from './stack.mjs';

/** Requests sent before the first memory sample. */
const WARM_UP_REQUESTS = 300;

const options = readOptions(process.argv.slice(2));
const started = Date.now();
const tag = `f${Date.now().toString(36).slice(-6)}`;
const outDir = resolve(ROOT, options.out);
const logDir = join(ROOT, '.cache', 'fuzz', tag);
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const { stopLater, cleanUp } = createCleanups('the fuzz suite');

async function send(testCase, stack, grpc) {
  if (testCase.transport === 'grpc') {
    const operator = testCase.route.startsWith('OperatorService/');
    return grpc.call(
      testCase.path,
      testCase.bytes,
      authorizationValues(testCase.auth, stack.ctx, operator),
      options.deadlineMs,
    );
  }
  return exchange({
    port: stack.ctx.ports[testCase.service],
    bytes: serialiseRequest(testCase.request),
    deadlineMs: options.deadlineMs,
  });
}

async function pool(indexes, concurrency, work) {
  let next = 0;
  const worker = async () => {
    while (next < indexes.length) await work(indexes[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, indexes.length) }, worker));
}

/**
 * Warms the services up with cases of another seed, unjudged, so the first memory sample is taken
 * with every path (error paths included) compiled and every cache filled once.
 */
async function warmUp(stack, grpc, codec) {
  const seed = (options.seed ^ 0x5bd1e995) >>> 0;
  const indexes = Array.from({ length: WARM_UP_REQUESTS }, (_, i) => i);
  await pool(indexes, options.concurrency, (index) =>
    send(generateCase(seed, index, stack.ctx, codec), stack, grpc),
  );
}

async function liveness(stack, grpc, codec) {
  const result = {};
  for (const [name, service] of Object.entries(stack.services)) result[name] = await isReady(service);
  const call = await grpc.call(
    '/hookline.admin.v1.EventService/ListEventTypes',
    codec('EventService', 'ListEventTypes', {}),
    [`Bearer ${stack.ctx.apiKey}`],
    10_000,
  );
  result['subscription gRPC'] =
    call.name === 'OK'
      ? { ok: true }
      : { ok: false, why: `ListEventTypes answered ${call.name}: ${call.details}` };
  return result;
}

async function main() {
  const command = `npm run fuzz -- --seed ${options.seed}${options.only ? ` --only ${options.only.join(',')}` : ` --requests ${options.requests}`}`;
  log(
    `Hookline fuzz suite: seed ${options.seed}, ${options.only ? `cases ${options.only.join(',')}` : `${options.requests} requests`} (${command})`,
  );
  mkdirSync(outDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const stack = await startFuzzStack({ options, tag, logDir, stopLater, log });
  const codec = loadCodec();
  const grpc = grpcClient(stack.grpcAddress);
  stopLater(() => grpc.close());
  await grpc.ready(30_000);
  log(
    `  Ready: ingest ${stack.services.ingest.url}, subscription ${stack.services.subscription.url}, gRPC ${stack.grpcAddress}; service logs in ${logDir}`,
  );

  log(`Warming up (${WARM_UP_REQUESTS} cases of another seed, not judged), then sampling memory`);
  await warmUp(stack, grpc, codec);
  const memory = {};
  for (const [name, service] of Object.entries(stack.services))
    memory[name] = { before: await sampleMemory(service, options.settleMs) };

  const indexes = options.only ?? Array.from({ length: options.requests }, (_, i) => i);
  log(
    `Sending ${indexes.length} cases, ${options.concurrency} at a time, deadline ${options.deadlineMs / 1000} s each`,
  );
  const records = [];
  const failures = [];
  let done = 0;
  const progressEvery = Math.max(500, Math.ceil(indexes.length / 10));
  await pool(indexes, options.concurrency, async (index) => {
    const testCase = generateCase(options.seed, index, stack.ctx, codec);
    const result = await send(testCase, stack, grpc);
    const verdict = judge(testCase.transport, result);
    const service =
      testCase.transport === 'grpc'
        ? 'subscription (gRPC)'
        : testCase.service === 'ingest'
          ? 'ingest'
          : 'subscription (REST)';
    const answer =
      result.kind !== 'answered'
        ? result.kind
        : testCase.transport === 'grpc'
          ? result.name
          : String(result.status);
    records.push({
      index,
      service,
      ok: verdict.ok,
      outcome: verdict.outcome,
      answer,
      category: verdict.category,
      ms: result.ms,
    });
    if (!verdict.ok) {
      failures.push({
        index,
        service,
        category: verdict.category,
        reason: verdict.reason,
        route: testCase.route,
        damage: testCase.damage,
        request: describeCase(testCase),
        reproduce: `npm run fuzz -- --seed ${options.seed} --only ${index}`,
      });
    }
    done += 1;
    if (done % progressEvery === 0) log(`  ${done} / ${indexes.length} sent, ${failures.length} failed`);
  });

  log('Settling, then sampling memory and checking the services');
  for (const [name, service] of Object.entries(stack.services)) {
    try {
      memory[name].after = await sampleMemory(service, options.settleMs);
    } catch (error) {
      memory[name].after = null;
      memory[name].error = error.message;
    }
  }
  const alive = await liveness(stack, grpc, codec);

  const verdicts = [];
  const byCategory = {};
  for (const failure of failures) byCategory[failure.category] = (byCategory[failure.category] ?? 0) + 1;
  for (const [category, count] of Object.entries(byCategory)) verdicts.push(`${count} requests: ${category}`);
  for (const [name, state] of Object.entries(alive))
    if (!state.ok) verdicts.push(`${name} not alive and ready afterwards: ${state.why}`);
  for (const [name, m] of Object.entries(memory)) {
    if (!m.after) verdicts.push(`${name}: memory could not be sampled after the run (${m.error})`);
    else {
      if (m.after.rssMiB - m.before.rssMiB > options.rssBoundMiB)
        verdicts.push(
          `${name}: RSS grew ${(m.after.rssMiB - m.before.rssMiB).toFixed(1)} MiB, more than the bound of ${options.rssBoundMiB} MiB`,
        );
      if (m.after.heapUsedMiB - m.before.heapUsedMiB > options.heapBoundMiB)
        verdicts.push(
          `${name}: heap in use grew ${(m.after.heapUsedMiB - m.before.heapUsedMiB).toFixed(1)} MiB, more than the bound of ${options.heapBoundMiB} MiB`,
        );
    }
  }
  const latencies = records.map((r) => r.ms).sort((a, b) => a - b);
  const report = {
    ok: verdicts.length === 0,
    verdicts,
    seed: options.seed,
    command,
    requests: records.length,
    startedAt: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine: {
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim(),
      postgres: stack.postgresVersion,
    },
    settings: {
      concurrency: options.concurrency,
      deadlineSeconds: options.deadlineMs / 1000,
      settleSeconds: options.settleMs / 1000,
      rssBoundMiB: options.rssBoundMiB,
      heapBoundMiB: options.heapBoundMiB,
      grpcShare: GRPC_SHARE,
      warmUpRequests: WARM_UP_REQUESTS,
    },
    rssBoundMiB: options.rssBoundMiB,
    heapBoundMiB: options.heapBoundMiB,
    slowestAnswerMs: latencies[latencies.length - 1] ?? 0,
    p99AnswerMs: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    counts: tally(records),
    memory,
    liveness: alive,
    failures: failures.sort((a, b) => a.index - b.index),
  };
  const file = await writeReport(report, outDir);
  console.log('');
  for (const line of summaryLines(report)) console.log(line);
  console.log('');
  log(`Seed ${options.seed}; slowest answer ${report.slowestAnswerMs} ms; report: ${file}`);
  return report;
}

main()
  .then(async (report) => {
    await cleanUp();
    if (!report.ok) {
      for (const failure of report.failures.slice(0, 50)) {
        console.error(
          `\nFAILED case ${failure.index} (${failure.service}, ${failure.route}; ${failure.damage.join('; ')}): ${failure.reason}`,
        );
        console.error(`  ${JSON.stringify(failure.request)}`);
        console.error(`  reproduce: ${failure.reproduce}`);
      }
      if (report.failures.length > 50)
        console.error(`\n… and ${report.failures.length - 50} more in report.json`);
      console.error(`\nFuzz suite FAILED (seed ${report.seed}):\n  ${report.verdicts.join('\n  ')}`);
      process.exit(1);
    }
    console.log(`Fuzz suite passed (seed ${report.seed}).`);
    process.exit(0);
  })
  .catch(async (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await cleanUp();
    process.exit(1);
  });
