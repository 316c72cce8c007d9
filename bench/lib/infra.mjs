// The real stack under test: a Kafka broker, a fresh PostgreSQL database, migrations, topics and the
// four services as separate processes, plus Redis for the BullMQ baseline.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { startKafka, kafkaVersion } = require(join(ROOT, 'tools', 'infra', 'kafka.cjs'));
const { ensurePostgres, createDatabase, dropDatabase } = require(
  join(ROOT, 'tools', 'infra', 'postgres.cjs'),
);
const { Client } = require('pg');

/** The Node.js the project runs on (installed as a dependency), else the one running this script. */
export const NODE = existsSync(join(ROOT, 'node_modules', '.bin', 'node'))
  ? join(ROOT, 'node_modules', '.bin', 'node')
  : process.execPath;

/** Runs a command to completion with node_modules/.bin first on PATH; rejects with its output on failure. */
export function runCommand(command, args, { env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.slice(-4000)}`));
    });
  });
}

/** Builds every project (Nx caches what did not change). */
export function buildAll() {
  return runCommand('nx', ['run-many', '-t', 'build', '--outputStyle=static'], {
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
}

/** A single-node broker of the caller's own: fresh (its data wiped) unless `fresh` is false. */
export async function startBroker(port, { fresh = true } = {}) {
  const broker = await startKafka({ port, fresh });
  return { ...broker, version: kafkaVersion() };
}

/**
 * A fresh database, migrated: on the server at `serverUrl` (an admin URL) when given, else on the
 * local PostgreSQL server (or `DATABASE_URL`'s).
 */
export async function createBenchDatabase(name, env, { serverUrl } = {}) {
  const server = serverUrl ? { url: serverUrl, stop: async () => {} } : await ensurePostgres({});
  await dropDatabase(server.url, name);
  const url = await createDatabase(server.url, name);
  await runCommand(NODE, ['scripts/migrate.mjs', 'up'], { env: { ...env, DATABASE_URL: url } });
  const client = new Client({ connectionString: url });
  await client.connect();
  const version = (await client.query('SHOW server_version')).rows[0].server_version;
  await client.end();
  return {
    url,
    version,
    async drop() {
      await dropDatabase(server.url, name);
      await server.stop();
    },
  };
}

/** Creates every declared topic with the project's own script. */
export function createTopics(env) {
  return runCommand(NODE, ['scripts/topics.mjs'], { env });
}

/**
 * Starts `apps/<name>/dist/main.js` as its own process on `port` and waits until `/readyz` answers
 * 200. Its output goes to `<logDir>/<logName>.log` (`logName` defaults to the service's name).
 */
export async function startService(
  name,
  { port, env, logDir, logName = name, execArgv = [], timeoutMs = 120_000 },
) {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${logName}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(
    NODE,
    [...execArgv, '--disable-warning=TimeoutNegativeWarning', join(ROOT, 'apps', name, 'dist', 'main.js')],
    {
      cwd: ROOT,
      env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const url = `http://127.0.0.1:${port}`;
  const tail = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-3000) : '');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up:\n${tail()}`);
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become ready within ${timeoutMs} ms:\n${tail()}`);
    }
    await sleep(200);
  }
  return {
    name,
    url,
    pid: child.pid,
    process: child,
    logFile,
    /** SIGTERM, then waits for the exit (SIGKILL after 40 s). */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      const [code] = await exited;
      clearTimeout(timer);
      log.end();
      return code;
    },
    /** SIGKILL: no shutdown hooks, no final commit; resolves once the process is gone. */
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      log.end();
    },
  };
}

function redisAnswers(host, port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let answer = '';
    const finish = (value) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk;
      if (answer.includes('\r\n')) finish(answer.startsWith('+PONG'));
    });
  });
}

/**
 * Redis for the BullMQ baseline: the server at `host:port` when it answers, otherwise one started
 * here without persistence (stopped again by `stop`). Resolves `{ kind: 'unavailable', reason }`
 * when neither works.
 */
export async function ensureRedis({ host = '127.0.0.1', port = 6379, stateDir }) {
  if (await redisAnswers(host, port))
    return { kind: 'ready', host, port, started: false, stop: async () => {} };
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return {
      kind: 'unavailable',
      reason: `no Redis answers on ${host}:${port} and \`redis-server\` is not installed (${probe.error?.message ?? probe.stderr})`,
    };
  }
  mkdirSync(stateDir, { recursive: true });
  const pidFile = join(stateDir, `redis-${port}.pid`);
  const started = spawnSync(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--port',
      String(port),
      '--bind',
      host,
      '--save',
      '',
      '--appendonly',
      'no',
      '--pidfile',
      pidFile,
      '--dir',
      stateDir,
    ],
    { encoding: 'utf8' },
  );
  if (started.status !== 0) {
    return {
      kind: 'unavailable',
      reason: `redis-server failed to start: ${started.stderr || started.stdout}`,
    };
  }
  for (let i = 0; i < 50 && !(await redisAnswers(host, port)); i += 1) await sleep(100);
  if (!(await redisAnswers(host, port))) {
    return { kind: 'unavailable', reason: `redis-server was started on ${host}:${port} but does not answer` };
  }
  return {
    kind: 'ready',
    host,
    port,
    started: true,
    async stop() {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (!pid) return;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return;
      }
      for (let i = 0; i < 100; i += 1) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await sleep(50);
      }
    },
  };
}

/**
 * Builds the workspace (unless told not to), then loads and runs a suite: the suite's modules load
 * the built libraries, so on a fresh checkout they can only be imported after the build.
 */
export async function buildThenRun(suiteUrl, { build, log = console.log }) {
  if (build) {
    log('Building (nx run-many -t build)');
    await buildAll();
  }
  return import(suiteUrl);
}
