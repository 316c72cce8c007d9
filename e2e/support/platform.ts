import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Client } from 'pg';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startKafka } = require(join(ROOT, 'tools', 'infra', 'kafka.cjs')) as {
  startKafka(options: {
    port: number;
    fresh?: boolean;
  }): Promise<{ brokers: string; pid: number; stop(): Promise<void> }>;
};

/** A broker of the test's own, so its topics hold nothing from other tests. */
export function startOwnBroker(
  port: number,
): Promise<{ brokers: string; pid: number; stop(): Promise<void> }> {
  return startKafka({ port, fresh: true });
}

/** A fresh database on the test server, migrated with the project's own script. */
export async function createMigratedDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL as string;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  runScript('scripts/migrate.mjs', ['up'], { DATABASE_URL: url.toString() });
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** The services' shared environment: one broker and database, an admin token, receivers on loopback allowed. */
export function loopbackPlatformEnv(
  brokers: string,
  databaseUrl: string,
  adminToken: string,
): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers,
    DATABASE_URL: databaseUrl,
    SUBSCRIPTION_ADMIN_TOKEN: adminToken,
    SUBSCRIPTION_ALLOW_HTTP_URLS: 'true',
    SUBSCRIPTION_GRPC_PORT: '0',
    DISPATCHER_ALLOW_HTTP: 'true',
    DISPATCHER_ALLOWED_CIDRS: '127.0.0.0/8,::1',
  };
}

/** Creates every declared topic with the project's own script. */
export function createTopics(env: Record<string, string>): void {
  runScript('scripts/topics.mjs', [], env);
}

function runScript(script: string, args: string[], env: Record<string, string>): void {
  const result = spawnSync(process.execPath, [join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr || result.stdout}`);
}

/** A built service running as its own process. */
export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything it printed. */
  output(): string;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown hooks, no final commit. */
  kill(): Promise<void>;
}

/** Starts `apps/<name>/dist/main.js` on a free port and waits until `/readyz` answers 200. */
export async function startService(
  name: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    ['--disable-warning=TimeoutNegativeWarning', join(ROOT, 'apps', name, 'dist', 'main.js')],
    {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  try {
    return await whenReady(name, child, () => output, timeoutMs);
  } catch (error) {
    // A service that did not come up must not outlive the test.
    child.kill('SIGKILL');
    throw error;
  }
}

async function whenReady(
  name: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<ServiceProcess> {
  const deadline = Date.now() + timeoutMs;
  let port: number | undefined;
  while (port === undefined) {
    const match = new RegExp(`${name} listening on [^\\s:]+:(\\d+)`).exec(output());
    if (match) port = Number(match[1]);
    else if (child.exitCode !== null) throw new Error(`${name} exited early:\n${output()}`);
    else if (Date.now() > deadline) throw new Error(`${name} did not start:\n${output()}`);
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`${name} did not become ready:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name,
    url,
    process: child,
    output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A parsed API answer; tests read its fields directly and assert on them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiBody = any;

/** Calls a JSON API and returns status and parsed body. */
export async function call(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: ApiBody }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, body: parsed };
}

/**
 * Runs a Node.js script of the repository (or `node --test`) to completion with the Node.js running
 * the tests, without Jest's own Node flags; resolves with its exit code and combined output.
 */
export function runNode(args: string[]): Promise<{ code: number | null; output: string }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}
