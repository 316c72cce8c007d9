// The fault-injection suite: for each scenario, a fresh real stack (Kafka, PostgreSQL, the four
// services as processes) under steady load — most events through ingest's REST API, some written
// straight to Kafka by Apache Kafka's console producer — while a fault is injected (services or the
// broker SIGKILLed, PostgreSQL restarted, a receiver down, consumers scaled out and in). Then every
// accepted event is checked at every endpoint it was owed to. Writes report.json and report.md.
// Exits non-zero when a delivery was lost, a retry was sent early, a request was badly signed, or
// the baseline delivered anything twice.
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createCleanups } from '../../bench/lib/cleanups.mjs';
import { ROOT } from '../../bench/lib/infra.mjs';
import { describeMachine } from '../../bench/lib/machine.mjs';
import { startReceivers } from '../../bench/lib/receivers.mjs';
import { consoleProducerClasspath } from './kafka-path.mjs';
import { readOptions } from './options.mjs';
import { judge, writeReports } from './report.mjs';
import { runScenario } from './run-scenario.mjs';
import { ENDPOINTS } from './stack.mjs';

const require = createRequire(import.meta.url);

const options = readOptions(process.argv.slice(2));
const started = new Date();
const runTag = `c${Date.now().toString(36).slice(-5)}`;
const workDir = join(ROOT, '.cache', 'chaos', options.mode);
const outDir = resolve(ROOT, options.out);
const log = (line) =>
  console.log(`[${((Date.now() - started.getTime()) / 1000).toFixed(1).padStart(6)} s] ${line}`);

const { stopLater, cleanUp, interrupted } = createCleanups('the suite');

function javaVersion() {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return (`${result.stderr}${result.stdout}`.split('\n')[0] ?? 'java').trim();
}

async function main() {
  log(
    `Hookline fault-injection suite (${options.mode}): ${options.scenarios.join(', ')} — reports go to ${outDir}`,
  );
  mkdirSync(outDir, { recursive: true });
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const producer = consoleProducerClasspath({ log });
  const receivers = await startReceivers();
  stopLater(() => receivers.stop());

  const { kafkaVersion } = require(join(ROOT, 'tools', 'infra', 'kafka.cjs'));
  const { profile } = options;
  const report = {
    mode: options.mode,
    startedAt: started.toISOString(),
    command: `npm run chaos${options.argv.length ? ` -- ${options.argv.join(' ')}` : ''}`,
    machine: describeMachine({ kafka: kafkaVersion(), java: javaVersion() }),
    configuration: {
      rate: profile.rate,
      kafkaShare: profile.kafkaShare,
      retryWindowSeconds: profile.retryWindowMs / 1000,
      drainSeconds: profile.drainMs / 1000,
      settleSeconds: profile.settleMs / 1000,
      consoleProducer: `${producer.mainClass} ${producer.version}`,
      endpoints: ENDPOINTS,
      serviceSettings: options.overrides,
      profile,
    },
    scenarios: [],
  };

  for (const [index, id] of options.scenarios.entries()) {
    if (interrupted()) break;
    const record = await runScenario({
      id,
      index,
      runTag,
      options,
      receivers,
      producerClasspath: producer.classpath,
      workDir,
      stopLater,
      log,
    });
    report.scenarios.push(record);
  }

  await cleanUp();
  const versions = [...new Set(report.scenarios.map((s) => s.postgresVersion).filter(Boolean))];
  report.machine.postgres = versions.join(', ') || 'unknown';
  report.machine.loadAverageAtEnd = loadavg().map((value) => Math.round(value * 100) / 100);
  report.finishedAt = new Date().toISOString();
  report.durationSeconds = Math.round((Date.now() - started.getTime()) / 1000);
  const { failures, goalsMissed } = judge(report.scenarios);
  report.ok = failures.length === 0;
  report.failures = failures;
  report.goalsMissed = goalsMissed;
  const files = await writeReports(report, outDir);
  log(`Wrote ${files.join(', ')} to ${outDir}`);
  for (const miss of goalsMissed) console.log(`GOAL MISSED — ${miss}`);
  return failures;
}

main()
  .then(async (failures) => {
    await cleanUp();
    if (failures.length > 0) {
      console.error(`Fault-injection suite FAILED:\n  ${failures.join('\n  ')}`);
      process.exit(1);
    }
    console.log('Fault-injection suite passed.');
    process.exit(0);
  })
  .catch(async (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await cleanUp();
    process.exit(1);
  });
