// The workspace's test command: real Kafka and Postgres, then format check, lint, unit and
// integration tests and builds of every project, then the whole-system tests under e2e/.
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { root, run } = require('../tools/infra/run.cjs');
const { startKafka } = require('../tools/infra/kafka.cjs');
const { ensurePostgres } = require('../tools/infra/postgres.cjs');

const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) console.warn(`warning: tests are meant to run on Node.js 24, this is ${process.version}`);

const summaryDir = mkdtempSync(join(tmpdir(), 'hookline-test-'));
const summaryFile = join(summaryDir, 'summary.jsonl');
const started = [];
let exitCode = 1;

async function stopAll() {
  for (const resource of started.splice(0).reverse()) {
    try {
      await resource.stop();
    } catch (error) {
      console.error(`stopping: ${error.message}`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void stopAll().then(() => process.exit(130)));
}

try {
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', HOOKLINE_TEST_SUMMARY: summaryFile };
  if (!env.KAFKA_BROKERS) {
    const kafka = await startKafka({ port: Number(env.HOOKLINE_TEST_KAFKA_PORT || 31092), fresh: true });
    started.push(kafka);
    env.KAFKA_BROKERS = kafka.brokers;
  }
  if (!env.DATABASE_URL) {
    const postgres = await ensurePostgres({});
    started.push(postgres);
    env.DATABASE_URL = postgres.url;
  }
  console.log(`Kafka at ${env.KAFKA_BROKERS}; Postgres ready`);

  const steps = [
    ['prettier', ['--check', '.']],
    ['nx', ['run-many', '-t', 'lint', 'test', 'build', '--outputStyle=static', '--parallel=2']],
  ];
  if (existsSync(join(root, 'e2e', 'jest.config.cjs'))) {
    steps.push([
      'node',
      [
        '--experimental-vm-modules',
        '--disable-warning=ExperimentalWarning',
        '--disable-warning=TimeoutNegativeWarning',
        'node_modules/jest/bin/jest.js',
        '-c',
        'e2e/jest.config.cjs',
        '--runInBand',
      ],
    ]);
  }
  exitCode = 0;
  for (const [command, args] of steps) {
    console.log(`\n$ ${command} ${args.join(' ')}`);
    const code = await run(command, args, { env });
    if (code !== 0) {
      exitCode = code;
      break;
    }
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  exitCode = 1;
} finally {
  await stopAll();
}

const totals = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(summaryFile)) {
  for (const line of readFileSync(summaryFile, 'utf8').split('\n').filter(Boolean)) {
    const run = JSON.parse(line);
    totals.passed += run.passed;
    totals.failed += run.failed + run.suitesFailed;
    totals.skipped += run.skipped;
  }
}
rmSync(summaryDir, { recursive: true, force: true });
console.log(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(exitCode);
