import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT } from '../../src/repo-root';
import { SERVICE_NAMES, type ServiceName } from './service-config';
import { run, WORKSPACE_PATH } from './tools';

/** A service process started from its build output, as the container image starts it. */
export interface ServiceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** The last lines it printed, for failure messages. */
  output(): string;
}

/** How a service ended after SIGTERM. */
export interface ServiceExit {
  readonly service: ServiceName;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The four services on a Kafka broker and a database of their own. */
export interface RunningPlatform {
  readonly services: Readonly<Record<ServiceName, ServiceProcess>>;
  /** SHUTDOWN_GRACE_MS the services run with. */
  readonly shutdownGraceMs: number;
  /** Sends SIGTERM to every service and reports how each exited; then frees the broker and database. */
  stop(): Promise<ServiceExit[]>;
}

interface KafkaHandle {
  readonly brokers: string;
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 15_000;
const READY_TIMEOUT_MS = 120_000;

/**
 * Boots the platform the way the deployment does: a fresh broker, `scripts/migrate.mjs up` and
 * `scripts/topics.mjs`, then `node apps/<service>/dist/main.js` for each service, waiting for
 * /readyz. The broker is private to this run: the services consume with their production consumer
 * groups from the earliest offset, which on the shared test broker would take other tests' events.
 */
export async function startPlatform(): Promise<RunningPlatform> {
  for (const service of SERVICE_NAMES) {
    if (!existsSync(join(REPO_ROOT, 'apps', service, 'dist', 'main.js'))) {
      throw new Error(`${service} is not built; run \`npx nx run-many -t build\` first`);
    }
  }
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const stateDir = mkdtempSync(join(tmpdir(), 'hookline-ops-kafka-'));
    cleanups.push(async () => rmSync(stateDir, { recursive: true, force: true }));
    const kafka = await startPrivateKafka(stateDir);
    cleanups.push(() => kafka.stop());

    const database = await createDatabase();
    cleanups.push(database.drop);

    const provision = { PATH: WORKSPACE_PATH, DATABASE_URL: database.url, KAFKA_BROKERS: kafka.brokers };
    for (const [script, args] of [
      ['scripts/migrate.mjs', ['up']],
      ['scripts/topics.mjs', ['--partitions', '2']],
    ] as const) {
      const result = run('node', [script, ...args], { env: provision });
      if (result.status !== 0) throw new Error(`${script} failed:\n${result.stdout}${result.stderr}`);
    }

    const services = {} as Record<ServiceName, ServiceProcess>;
    for (const service of SERVICE_NAMES) {
      services[service] = startService(service, await freePort(), {
        ...provision,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SHUTDOWN_GRACE_MS: `${SHUTDOWN_GRACE_MS}ms`,
        // Its fixed default port may be taken on a shared machine.
        ...(service === 'subscription' ? { SUBSCRIPTION_GRPC_PORT: String(await freePort()) } : {}),
      });
    }
    cleanups.push(async () => {
      for (const { child } of Object.values(services)) if (child.exitCode === null) child.kill('SIGKILL');
    });
    await Promise.all(SERVICE_NAMES.map((service) => waitUntilReady(service, services[service])));

    return {
      services,
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
      stop: async () => {
        const exits = await Promise.all(
          SERVICE_NAMES.map(async (service): Promise<ServiceExit> => {
            const { child } = services[service];
            const exited = new Promise<ServiceExit>((resolve) =>
              child.once('exit', (code, signal) => resolve({ service, code, signal })),
            );
            if (child.exitCode !== null || child.signalCode !== null) {
              return { service, code: child.exitCode, signal: child.signalCode };
            }
            child.kill('SIGTERM');
            return exited;
          }),
        );
        await cleanUp();
        return exits;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

async function startPrivateKafka(stateDir: string): Promise<KafkaHandle> {
  // The workspace's broker launcher (plain CommonJS, outside any project).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startKafka } = require(join(REPO_ROOT, 'tools', 'infra', 'kafka.cjs')) as {
    startKafka(options: object): Promise<KafkaHandle>;
  };
  for (let attempt = 1; ; attempt += 1) {
    // The controller listens on the next port up, so both must be free.
    const port = await freePort();
    if (!(await isFree(port + 1))) continue;
    try {
      return await startKafka({ port, stateDir, fresh: true, heapMb: 384 });
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set; run the tests through the Jest global setup');
  const name = `hookline_ops_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

function startService(service: ServiceName, port: number, env: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn('node', [join('apps', service, 'dist', 'main.js')], {
    cwd: REPO_ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { url: `http://127.0.0.1:${port}`, child, output: () => output };
}

async function waitUntilReady(service: ServiceName, running: ServiceProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) {
      throw new Error(
        `${service} exited with ${running.child.exitCode} before it was ready:\n${running.output()}`,
      );
    }
    try {
      const response = await fetch(`${running.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${service} was not ready within ${READY_TIMEOUT_MS} ms (${last}):\n${running.output()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
