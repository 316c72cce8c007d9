// The benchmark: starts the real stack (Kafka, PostgreSQL, the four services) and receivers on
// loopback, drives load, and compares Hookline with a bare undici loop (the ceiling) and a BullMQ
// worker queue, all in the same run on the same machine. Every counted delivery is checked against
// the receivers: a lost or doubled delivery fails the run. Writes report.json, report.md,
// chart.svg and README-performance.md to the output folder.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startBullmq } from './bullmq-system.mjs';
import { startCeiling } from './ceiling-system.mjs';
import { startHookline, waitUntilRouted } from './hookline-system.mjs';
import { createCleanups } from './cleanups.mjs';
import { createBenchDatabase, ensureRedis, ROOT, startBroker } from './infra.mjs';
import { Ledger } from './ledger.mjs';
import { describeMachine } from './machine.mjs';
import { readOptions } from './options.mjs';
import { summariseProfile } from './profile.mjs';
import { startReceivers } from './receivers.mjs';
import { redisFacts } from './redis-facts.mjs';
import { writeReports } from './report.mjs';
import { finalSweep, plan, runPhase } from './scenarios.mjs';

const options = readOptions(process.argv.slice(2));
const { profile } = options;
const started = new Date();
const tag = `r${Date.now().toString(36).slice(-4)}`;
const workDir = join(ROOT, '.cache', 'bench', options.mode);
const logDir = join(workDir, 'logs');
const outDir = resolve(ROOT, options.out);
const log = (line) =>
  console.log(`[${((Date.now() - started.getTime()) / 1000).toFixed(1).padStart(6)} s] ${line}`);

/**
 * How long a run may wait for its last deliveries: the profile's limit, shortened near the end of the
 * time budget so that a struggling system cannot stretch the whole benchmark.
 */
function drainMs() {
  const left = started.getTime() + profile.budgetMs - Date.now();
  return Math.max(5_000, Math.min(profile.drainMs, left - 90_000));
}

const { stopLater, cleanUp } = createCleanups('the benchmark');

/**
 * One system under test with its own ledger: its phases, the processes whose resources count, and
 * whether it takes part in scenarios 3 and 4 (the ceiling has no queue to isolate anything).
 */
function contestant(system, receivers, { processes, isolation }) {
  return {
    system,
    isolation,
    ctx: { receivers, ledger: new Ledger(), log, drainMs, openKeys: [], owed: [], processes },
    results: [],
    error: undefined,
  };
}

async function runPhaseFor(entry, phase) {
  if (entry.error) return undefined;
  try {
    const result = await runPhase(entry.ctx, entry.system, phase);
    entry.results.push(result);
    return result;
  } catch (error) {
    entry.error = error.message;
    log(`  ${entry.system.name} failed: ${error.message}`);
    return undefined;
  }
}

/** Kafka, a database, the four services; the dispatcher under `--cpu-prof` when asked. */
async function setUpHookline(report, receivers, profileDir, profiling) {
  log(`Kafka broker on 127.0.0.1:${options.kafkaPort} (fresh)`);
  const broker = await startBroker(options.kafkaPort);
  stopLater(() => broker.stop());
  report.machine.kafka = broker.version;
  const database = await createBenchDatabase(`hookline_bench_${options.mode}`, process.env);
  stopLater(() => database.drop());
  report.machine.postgres = database.version;
  log('Starting the four services');
  const hookline = await startHookline({
    brokers: broker.brokers,
    databaseUrl: database.url,
    basePort: options.portBase,
    logDir,
    overrides: options.overrides,
    tag,
    dispatcherExecArgv: profiling === 'whole-run' ? cpuProfArgs(profileDir) : [],
  });
  stopLater(() => hookline.stop());
  hookline.waitUntilRouted = (scope, keys, r, ledger) => waitUntilRouted(hookline, scope, keys, r, ledger);
  report.configuration.hookline = {
    preset: 'hookline',
    serviceOverrides: options.overrides,
    note: 'service defaults (README "Configuration") unless overridden above',
  };
  return contestant(hookline, receivers, {
    processes: () => [...hookline.processes(), { name: 'kafka broker', pid: broker.pid }],
    isolation: true,
  });
}

async function setUpBullmq(report, receivers) {
  const redis = await ensureRedis({ ...options.redis, stateDir: join(workDir, 'redis') });
  if (redis.kind !== 'ready') {
    log(`BullMQ baseline skipped: ${redis.reason}`);
    return { skipped: redis.reason };
  }
  if (redis.started) stopLater(() => redis.stop());
  const facts = await redisFacts(redis);
  report.machine.redis = facts.version;
  report.configuration.bullmq = {
    redis: `${redis.host}:${redis.port}${redis.started ? ' (started by the benchmark)' : ' (already running)'}`,
    redisPersistence: facts.persistence,
  };
  const bullmq = await startBullmq({ redis, tag });
  stopLater(() => bullmq.stop());
  return contestant(bullmq, receivers, {
    processes: (system, scope) => [...bullmq.processesOf(scope), { name: 'redis-server', pid: facts.pid }],
    isolation: profile.bullmqIsolation,
  });
}

/** The best of a small grid of worker processes × concurrency, flat out at fan-out 1. */
async function tuneBullmq(entry) {
  const s = profile.bullmqSweep;
  const grid = s.workers.flatMap((workers) => s.concurrency.map((concurrency) => ({ workers, concurrency })));
  const sweep = [];
  if (grid.length === 1 || !options.scenarios.has('throughput')) {
    entry.system.tune(grid[0]);
    return sweep;
  }
  log(`BullMQ tuning sweep over ${grid.length} settings`);
  const phase = plan(profile, new Set(['throughput']))[0];
  for (const tuning of grid) {
    entry.system.tune(tuning);
    const result = await runPhaseFor(entry, {
      ...phase,
      id: `tuning-w${tuning.workers}-c${tuning.concurrency}`,
      warmupMs: s.warmupMs,
      measureMs: s.measureMs,
      measureResources: false,
    });
    sweep.push({ ...tuning, deliveriesPerSecond: result?.deliveriesPerSecond ?? 0 });
  }
  const best = [...sweep].sort((a, b) => b.deliveriesPerSecond - a.deliveriesPerSecond)[0];
  entry.system.tune({ workers: best.workers, concurrency: best.concurrency });
  log(`  best: ${best.workers} worker process(es) × concurrency ${best.concurrency}`);
  return sweep;
}

/**
 * Runs every system flat out, then at the highest fixed rate, unmeasured: a broker and services
 * started fresh spend their first minute compiling hot code (each load pattern its own).
 */
async function warmUp(entries) {
  const { flatOutMs, atRateMs } = profile.stackWarmup;
  const flatOut = plan(profile, new Set(['throughput']))[0];
  const atRate = plan(profile, new Set(['latency'])).at(-1);
  log(
    `Warming every stack up (${flatOutMs / 1000} s flat out, ${atRateMs / 1000} s at ${atRate.rate} events/s; not measured)`,
  );
  for (const entry of entries) {
    for (const [phase, ms] of [
      [flatOut, flatOutMs],
      [atRate, atRateMs],
    ]) {
      await runPhaseFor(entry, {
        ...phase,
        id: `warmup-${phase.id}`,
        title: `stack warm-up: ${phase.title} (not measured)`,
        warmupMs: ms,
        measureMs: 1_000,
        measureResources: false,
      });
    }
  }
}

function cpuProfArgs(profileDir) {
  return ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
}

/** Stops the (profiled) dispatcher so it writes its profile, and summarises the measured window. */
async function collectProfile(entry, profileDir, profiling) {
  const hookline = entry.system;
  let profiled = entry.results.find((result) => result.id === 'throughput-fanout-1');
  if (profiling === 'separate') {
    log('Profiling the dispatcher (--cpu-prof) in a repeat of scenario 1, fan-out 1');
    await hookline.restartDispatcher(cpuProfArgs(profileDir));
    const first = plan(profile, new Set(['throughput']))[0];
    profiled = await runPhaseFor(entry, {
      ...first,
      id: 'profiled-throughput-fanout-1',
      title: `${first.title}, dispatcher under --cpu-prof (not a headline figure)`,
      warmupMs: profile.profile.warmupMs,
      measureMs: profile.profile.measureMs,
      measureResources: false,
    });
  }
  if (!profiled) return { error: 'the profiled run did not complete' };
  // The profile is written when the process exits.
  await hookline.services.dispatcher.stop();
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) return { error: 'the dispatcher wrote no .cpuprofile' };
  return {
    phase: profiled.id,
    deliveriesPerSecond: profiled.deliveriesPerSecond,
    ...summariseProfile(join(profileDir, file), {
      fromUs: profiled.monotonicWindowUs[0],
      toUs: profiled.monotonicWindowUs[1],
    }),
  };
}

async function main() {
  log(`Hookline benchmark (${options.mode}) — results go to ${outDir}`);
  mkdirSync(outDir, { recursive: true });
  // Service logs of this run only; they are what explains a failure.
  rmSync(logDir, { recursive: true, force: true });
  const report = {
    mode: options.mode,
    startedAt: started.toISOString(),
    command: `npm run bench${options.argv.length ? ` -- ${options.argv.join(' ')}` : ''}`,
    machine: describeMachine(),
    configuration: {
      profile,
      eventType: 'user.created',
      order: 'interleaved: each phase runs for every system before the next phase starts',
      ceiling: {
        concurrencyPerEndpoint: 16,
        note: 'the dispatcher default DISPATCHER_MAX_IN_FLIGHT_PER_ENDPOINT',
      },
    },
    systems: {},
  };
  const receivers = await startReceivers();
  stopLater(() => receivers.stop());

  const profileDir = join(workDir, 'profile');
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  // Profiling costs the dispatcher speed: a full run profiles a separate repeat of scenario 1 after
  // the measured ones; a smoke run profiles its one scenario 1 and spares the restart.
  const profiling =
    options.cpuProfile && options.scenarios.has('throughput') && options.systems.has('hookline')
      ? profile.profile.mode
      : 'off';

  const entries = [];
  const skipped = {};
  if (options.systems.has('hookline'))
    entries.push(await setUpHookline(report, receivers, profileDir, profiling));
  if (options.systems.has('undici')) {
    const ceiling = await startCeiling({ concurrencyPerEndpoint: 16, tag });
    stopLater(() => ceiling.stop());
    entries.push(
      contestant(ceiling, receivers, { processes: () => ceiling.processesOf(), isolation: false }),
    );
  }
  let sweep = [];
  if (options.systems.has('bullmq')) {
    const bullmq = await setUpBullmq(report, receivers);
    if (bullmq.skipped) skipped.bullmq = bullmq.skipped;
    else {
      entries.push(bullmq);
      sweep = await tuneBullmq(bullmq);
    }
  }

  if (profile.stackWarmup) await warmUp(entries);

  // Interleaved: every system runs a phase before the next phase starts, so a change in the
  // machine's other load over the run does not favour whichever system happened to go first.
  for (const phase of plan(profile, options.scenarios)) {
    for (const entry of entries) {
      if ((phase.scenario === 'slow' || phase.scenario === 'storm') && !entry.isolation) continue;
      await runPhaseFor(entry, phase);
    }
  }
  const hooklineEntry = entries.find((entry) => entry.system.name === 'hookline');
  if (hooklineEntry && profiling !== 'off' && !hooklineEntry.error) {
    report.profile = await collectProfile(hooklineEntry, profileDir, profiling).catch((error) => ({
      error: error.message,
    }));
  }

  for (const entry of entries) {
    await finalSweep(entry.ctx, entry.system, profile.settleMs).catch(
      (error) => (entry.error = entry.error ?? error.message),
    );
    report.systems[entry.system.name] = {
      results: entry.results.filter(
        (result) => !result.id.startsWith('tuning-') && !result.id.startsWith('warmup-'),
      ),
      verification: entry.ctx.ledger.summary(),
      ...(entry.system.name === 'bullmq' ? { tuningSweep: sweep, tuning: entry.system.tuning } : {}),
      ...(entry.error ? { error: entry.error } : {}),
    };
  }
  for (const [name, reason] of Object.entries(skipped)) report.systems[name] = { skipped: reason };

  log('Stopping everything');
  await cleanUp();
  report.machine.loadAverageAtEnd = loadavg().map((value) => Math.round(value * 100) / 100);
  report.finishedAt = new Date().toISOString();
  report.durationSeconds = Math.round((Date.now() - started.getTime()) / 1000);
  const failures = [];
  for (const [name, system] of Object.entries(report.systems)) {
    if (system.skipped) continue;
    if (system.error) failures.push(`${name}: ${system.error}`);
    if (!system.verification.ok) {
      const problems = Object.entries(system.verification.problems).map(
        ([kind, entry]) => `${entry.count} ${kind}`,
      );
      failures.push(`${name}: ${problems.length ? problems.join(', ') : 'no signature was checked'}`);
    }
  }
  report.ok = failures.length === 0;
  report.failures = failures;
  const files = await writeReports(report, outDir);
  log(`Wrote ${files.join(', ')}`);
  return failures;
}

main()
  .then(async (failures) => {
    await cleanUp();
    if (failures.length > 0) {
      console.error(`Benchmark FAILED:\n  ${failures.join('\n  ')}`);
      process.exit(1);
    }
    process.exit(0);
  })
  .catch(async (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await cleanUp();
    process.exit(1);
  });
