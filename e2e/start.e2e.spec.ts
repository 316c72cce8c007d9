import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';

const root = join(__dirname, '..');
const SERVICES = { ingest: 31101, subscription: 31102, dispatcher: 31103, 'retry-scheduler': 31104 } as const;
const KAFKA_PORT = 31192;

async function waitFor(url: string, deadline: number): Promise<Response> {
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return response;
      last = new Error(`${url} answered ${response.status}: ${await response.text()}`);
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw last instanceof Error ? last : new Error(`timed out waiting for ${url}`);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether `pid` runs; an exited child not yet reaped by its parent (a zombie) does not count. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

describe('npm start', () => {
  let child: ChildProcess | undefined;
  let output = '';
  const database = `hookline_start_${process.pid}`;
  const adminUrl = process.env.DATABASE_URL as string;

  beforeAll(async () => {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('brings up all four services with health, readiness and metrics, and Ctrl-C stops them and the broker', async () => {
    // What `npm start` printed, shown when a step times out.
    const explain = (error: unknown): never => {
      throw new Error(`${(error as Error).message}\n--- npm start printed ---\n${output.slice(-4000)}`);
    };
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SUBSCRIPTION_GRPC_PORT: '31105',
      DATABASE_URL: url.toString(),
      HOOKLINE_KAFKA_PORT: String(KAFKA_PORT),
    };
    delete env.KAFKA_BROKERS;
    delete env.HOST;
    delete env.SUBSCRIPTION_GRPC_HOST;
    for (const [name, port] of Object.entries(SERVICES))
      env[`${name.toUpperCase().replace('-', '_')}_PORT`] = String(port);
    child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));

    const deadline = Date.now() + 240_000;
    for (const [name, port] of Object.entries(SERVICES)) {
      const base = `http://127.0.0.1:${port}`;
      expect((await waitFor(`${base}/healthz`, deadline).catch(explain)).status).toBe(200);
      expect((await waitFor(`${base}/readyz`, deadline).catch(explain)).status).toBe(200);
      const metrics = await (await waitFor(`${base}/metrics`, deadline).catch(explain)).text();
      expect(metrics).toContain(`service="${name}"`);
    }

    // Loopback only, the gRPC admin API included, since HOST is not set here.
    for (const [name, port] of Object.entries(SERVICES))
      expect(output).toContain(`${name} listening on 127.0.0.1:${port}`);
    expect(output).toContain('gRPC admin API listening on 127.0.0.1:31105');

    const pidFile = join(root, '.cache', 'kafka', `broker-${KAFKA_PORT}`, 'kafka.pid');
    const brokerPid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;

    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    for (const port of Object.values(SERVICES)) {
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    }
    expect(brokerPid).toBeGreaterThan(0);
    expect(processAlive(brokerPid as number)).toBe(false);
    await expect(portOpen(KAFKA_PORT)).resolves.toBe(false);
  }, 300_000);
});
