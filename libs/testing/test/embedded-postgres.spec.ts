// Exercises tools/infra/postgres.cjs, which finds or starts the Postgres server every test uses.
// SLOW: the embedded-server case runs initdb and starts PostgreSQL twice (about 10-30 s).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';

interface PostgresServer {
  url: string;
  embedded: boolean;
  started: boolean;
  initialised?: boolean;
  stop(): Promise<void>;
}

interface PostgresInfra {
  ensurePostgres(options: {
    url?: string | null;
    cacheDir?: string;
    probeUrls?: string[];
    probeTimeoutMs?: number;
  }): Promise<PostgresServer>;
  createDatabase(adminUrl: string, name: string): Promise<string>;
  dropDatabase(adminUrl: string, name: string): Promise<void>;
  probePostgres(url: string, timeoutMs?: number): Promise<{ ok: true } | { ok: false; reason: string }>;
}

const SCRIPT = path.resolve(__dirname, '../../../tools/infra/postgres.cjs');
const infra = createRequire(__filename)(SCRIPT) as PostgresInfra;
// Port 1 is never a Postgres server: probing it fails at once.
const NOTHING_THERE = 'postgres://postgres@127.0.0.1:1/postgres';

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('ensurePostgres with a server to use', () => {
  const serverUrl = process.env.DATABASE_URL!;

  it('uses DATABASE_URL when it answers', async () => {
    const server = await infra.ensurePostgres({ url: serverUrl });

    expect(server).toMatchObject({ url: serverUrl, embedded: false, started: false });
  });

  it('fails naming DATABASE_URL, without its password, rather than fall back to another server', async () => {
    const wrong = 'postgres://postgres:hunter2@127.0.0.1:1/postgres';

    const failure = infra.ensurePostgres({ url: wrong, probeUrls: [serverUrl], probeTimeoutMs: 1_000 });

    await expect(failure).rejects.toThrow(/DATABASE_URL/);
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });

  it('without a URL, takes the first of the probed servers that answers', async () => {
    const server = await infra.ensurePostgres({ url: null, probeUrls: [NOTHING_THERE, serverUrl] });

    expect(server).toMatchObject({ url: serverUrl, embedded: false, started: false });
  });

  it('creates and drops databases', async () => {
    const name = `hookline_infra_${process.pid}`;
    const url = await infra.createDatabase(serverUrl, name);

    expect(await query(url, 'SELECT current_database() AS name')).toEqual([{ name }]);
    await infra.dropDatabase(serverUrl, name);
    expect(await query(serverUrl, `SELECT datname FROM pg_database WHERE datname = '${name}'`)).toEqual([]);
    await expect(infra.createDatabase(serverUrl, 'Robert"); DROP TABLE students;--')).rejects.toThrow(
      /invalid database name/,
    );
  });
});

interface RunningServer {
  url: string;
  embedded: boolean;
  started: boolean;
  initialised: boolean;
  stop(): Promise<number | null>;
}

/** Runs the script as its own process, as `npm test` and the services do, with nothing answering on the probed URL. */
function startScript(cacheDir: string): Promise<RunningServer> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [SCRIPT, '--probe', NOTHING_THERE, '--cache-dir', cacheDir],
    { env },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      lines.close();
      resolve({
        ...(JSON.parse(line) as Omit<RunningServer, 'stop'>),
        stop: () => {
          child.stdin.end();
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`postgres.cjs exited with ${code}: ${stderr}`)));
  });
}

describe('ensurePostgres with no server answering (slow: starts an embedded server)', () => {
  let cacheDir: string;

  beforeAll(() => {
    cacheDir = mkdtempSync(path.join(tmpdir(), 'hookline-embedded-pg-'));
    // When run as root the server runs as the postgres user, which must be able to enter this directory.
    chmodSync(cacheDir, 0o755);
  });

  afterAll(() => {
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('initialises and starts one that answers queries, then reuses its data', async () => {
    const first = await startScript(cacheDir);
    try {
      expect(first).toMatchObject({ embedded: true, started: true, initialised: true });
      expect(first.url).not.toBe(NOTHING_THERE);
      const port = new URL(first.url).port;
      expect(await query(first.url, 'SHOW port')).toEqual([{ port }]);
      expect(await query(first.url, `SHOW server_encoding`)).toEqual([{ server_encoding: 'UTF8' }]);
      await query(first.url, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')`);

      // A second caller finds the running server instead of starting another on the same data.
      const reused = await infra.ensurePostgres({ url: null, probeUrls: [NOTHING_THERE], cacheDir });
      expect(reused).toMatchObject({ url: first.url, embedded: true, started: false });
      await reused.stop();
      expect(await infra.probePostgres(first.url)).toEqual({ ok: true });

      const dbUrl = await infra.createDatabase(first.url, 'hookline_embedded_check');
      expect(await query(dbUrl, 'SELECT current_database() AS name')).toEqual([
        { name: 'hookline_embedded_check' },
      ]);
      await infra.dropDatabase(first.url, 'hookline_embedded_check');
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(await infra.probePostgres(first.url, 1_000)).toMatchObject({ ok: false });

    const second = await startScript(cacheDir);
    try {
      expect(second).toMatchObject({ embedded: true, started: true, initialised: false });
      expect(await query(second.url, 'SELECT note FROM kept')).toEqual([{ note: 'still here' }]);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 180_000);
});
