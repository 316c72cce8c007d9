import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

interface KafkaTooling {
  startKafka(options: object): Promise<{ stop(): Promise<void> }>;
  stopKafka(options: object): Promise<{ kind: string }>;
  kafkaVersion(): string;
  parseDuration(text: string): number | undefined;
  READY_TIMEOUT_ENV: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the tooling is plain CommonJS
const kafka = require(join(ROOT, 'tools', 'infra', 'kafka.cjs')) as KafkaTooling;

/**
 * How `startKafka` waits for a broker that does not answer yet. The broker is a stand-in launched
 * through a fake `JAVA_HOME` (test/support/fake-broker.cjs): what is under test is the waiting and
 * what happens to the process afterwards, which a real broker would take minutes to show.
 */
describe('startKafka with a broker that does not answer yet', () => {
  let cacheDir: string;
  const saved = {
    JAVA_HOME: process.env.JAVA_HOME,
    [kafka.READY_TIMEOUT_ENV]: process.env[kafka.READY_TIMEOUT_ENV],
  };
  const ports: number[] = [];

  beforeAll(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'hookline-kafka-start-'));
    // The broker inherits the real environment, not the test's copy: its kind is in its launcher.
    const fakeBroker = join(__dirname, 'support', 'fake-broker.cjs');
    for (const mode of ['recovering', 'stuck']) {
      const java = join(cacheDir, `jdk-${mode}`, 'bin', 'java');
      mkdirSync(dirname(java), { recursive: true });
      writeFileSync(java, `#!/bin/sh\nexec '${process.execPath}' '${fakeBroker}' ${mode} "$@"\n`);
      chmodSync(java, 0o755);
    }
    // Jars already resolved, as after a first start, so Maven is never asked.
    const versionDir = join(cacheDir, kafka.kafkaVersion());
    mkdirSync(join(versionDir, 'libs'), { recursive: true });
    writeFileSync(join(versionDir, 'libs', 'kafka_2.13-fake.jar'), '');
    const pom = readFileSync(join(ROOT, 'scripts', 'kafka', 'pom.xml'));
    writeFileSync(
      join(versionDir, 'resolved.json'),
      JSON.stringify({
        version: kafka.kafkaVersion(),
        pomHash: createHash('sha256').update(pom).digest('hex'),
        jars: ['kafka_2.13-fake.jar'],
      }),
    );
  });

  beforeEach(() => {
    launchBrokers('recovering');
  });

  afterEach(() => {
    delete process.env[kafka.READY_TIMEOUT_ENV];
  });

  function launchBrokers(mode: 'recovering' | 'stuck'): void {
    process.env.JAVA_HOME = join(cacheDir, `jdk-${mode}`);
  }

  afterAll(async () => {
    for (const port of ports) await kafka.stopKafka({ port, cacheDir, timeoutMs: 2_000 });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(cacheDir, { recursive: true, force: true });
  });

  /** A port pair (client, controller) nothing listens on, with formatted storage so none is needed. */
  async function brokerPort(): Promise<number> {
    for (;;) {
      const port = await freePort();
      if (!(await isFree(port + 1))) continue;
      const dataDir = join(cacheDir, `broker-${port}`, 'data');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'meta.properties'), 'version=1\n');
      ports.push(port);
      return port;
    }
  }

  function brokerPid(port: number): number | undefined {
    const pidFile = join(cacheDir, `broker-${port}`, 'kafka.pid');
    return existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
  }

  it('leaves a broker whose log is still growing running when the wait ends, and says what to do', async () => {
    const port = await brokerPort();

    const start = kafka.startKafka({ port, cacheDir, readyTimeoutMs: 1_500 });

    await expect(start).rejects.toThrow(/did not answer within 1\.5 s; its log last grew .* ago/);
    await expect(start).rejects.toThrow(/It was left running \(pid \d+\) to finish starting/);
    await expect(start).rejects.toThrow(`node scripts/kafka.mjs start --port ${port} --ready-timeout`);
    const pid = brokerPid(port)!;
    expect(isAlive(pid)).toBe(true);

    // Starting again waits for that same broker, and leaves it alone too.
    await expect(kafka.startKafka({ port, cacheDir, readyTimeoutMs: 1_000 })).rejects.toThrow(
      /It was left running: this call did not start it/,
    );
    expect(isAlive(pid)).toBe(true);
    expect(await kafka.stopKafka({ port, cacheDir })).toMatchObject({ kind: 'stopped' });
  });

  it('stops a broker still starting when asked to', async () => {
    const port = await brokerPort();

    const start = kafka.startKafka({ port, cacheDir, readyTimeoutMs: 1_000, stopOnTimeout: true });

    await expect(start).rejects.toThrow(/It was stopped \(pid \d+\)/);
    expect(brokerPid(port)).toBeUndefined();
  });

  it('stops a broker that stopped writing to its log, as stuck, before the wait ends', async () => {
    launchBrokers('stuck');
    const port = await brokerPort();

    const start = kafka.startKafka({ port, cacheDir, readyTimeoutMs: 60_000, stallTimeoutMs: 1_000 });

    await expect(start).rejects.toThrow(/has not written to its log for .*: it looks stuck/);
    await expect(start).rejects.toThrow(/It was stopped/);
    expect(brokerPid(port)).toBeUndefined();
  });

  it(`takes the wait from ${kafka.READY_TIMEOUT_ENV} when the caller names none`, async () => {
    process.env[kafka.READY_TIMEOUT_ENV] = '1s';
    const port = await brokerPort();

    await expect(kafka.startKafka({ port, cacheDir, stopOnTimeout: true })).rejects.toThrow(
      /did not answer within 1 s/,
    );

    process.env[kafka.READY_TIMEOUT_ENV] = 'a while';
    await expect(kafka.startKafka({ port, cacheDir })).rejects.toThrow(
      `${kafka.READY_TIMEOUT_ENV} must be a duration such as 90s, 10m or 600000, got "a while"`,
    );
  });

  it('refuses a --ready-timeout that is no duration, before touching any broker', () => {
    const result = spawnSync(
      process.execPath,
      ['scripts/kafka.mjs', 'start', '--port', '1', '--ready-timeout', 'soon'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      '--ready-timeout must be a duration such as 90s, 10m or 600000, got soon',
    );
  });
});

describe('parseDuration', () => {
  it('reads the durations the services accept', () => {
    expect(['250ms', '90s', '10m', '1h', '600000'].map(kafka.parseDuration)).toEqual([
      250, 90_000, 600_000, 3_600_000, 600_000,
    ]);
  });

  it('refuses anything else', () => {
    expect(['', '0', '-1s', '1.5m', '10 minutes', 'soon'].map(kafka.parseDuration)).toEqual(
      Array(6).fill(undefined),
    );
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
