// A real single-node Apache Kafka (KRaft, no ZooKeeper) for development and tests, started from jars
// that Maven resolves once into the git-ignored `.cache/kafka/<version>/libs`. No Docker needed:
// only Java 17+ and Maven.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..');
const pomFile = path.join(repoRoot, 'scripts', 'kafka', 'pom.xml');

/** Where resolved jars and broker state live unless a caller says otherwise. */
const DEFAULT_CACHE_DIR = path.join(repoRoot, '.cache', 'kafka');
/** Client port of the default broker. */
const DEFAULT_PORT = 9092;
/**
 * How long `startKafka` waits for the broker to answer before giving up, unless the caller or
 * `HOOKLINE_KAFKA_READY_TIMEOUT` says otherwise. A broker recovering from an unclean shutdown loads
 * every partition first, which takes minutes with a few hundred of them on a small machine.
 */
const DEFAULT_READY_TIMEOUT_MS = 5 * 60_000;
/**
 * How long a starting broker may neither answer nor add to its log before it counts as stuck rather
 * than slow: recovery logs every partition it loads.
 */
const DEFAULT_STALL_TIMEOUT_MS = 60_000;
/** Environment variable that sets the ready timeout of every start, as a duration (`90s`, `10m`). */
const READY_TIMEOUT_ENV = 'HOOKLINE_KAFKA_READY_TIMEOUT';
/** How long `stop` waits for a controlled shutdown before it kills the broker. */
const DEFAULT_STOP_TIMEOUT_MS = 30_000;

const MIN_JAVA_MAJOR = 17;
// A first start may download the jars before the broker even launches.
const LOCK_WAIT_MS = 5 * 60_000;

/**
 * The Kafka version pinned by the POM, so that the cache folder and the jars can never disagree.
 * @returns {string}
 */
function kafkaVersion() {
  const pom = fs.readFileSync(pomFile, 'utf8');
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom);
  if (!match) throw new Error(`${path.relative(repoRoot, pomFile)} does not declare <kafka.version>`);
  return match[1].trim();
}

/** @returns {string} the java launcher, honouring JAVA_HOME like Kafka's own scripts do */
function javaBin() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/**
 * Fails with a clear message unless a Java 17+ runtime is available.
 * @returns {{ major: number, version: string }}
 */
function checkJava() {
  const result = spawnSync(javaBin(), ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `Java ${MIN_JAVA_MAJOR}+ is required to run Kafka but \`${javaBin()} -version\` failed` +
        (result.error ? ` (${result.error.message})` : '') +
        '. Install a JDK (e.g. openjdk-17-jre-headless) or set JAVA_HOME.',
    );
  }
  const output = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (!match) throw new Error(`Could not read the Java version from:\n${output}`);
  // Java 8 and older report "1.8.0_..."; the real major version is then the second number.
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < MIN_JAVA_MAJOR) {
    throw new Error(
      `Kafka needs Java ${MIN_JAVA_MAJOR}+ but found Java ${major}. Install a newer JDK or set JAVA_HOME.`,
    );
  }
  return { major, version: match[0] };
}

/** Fails with a clear message unless Maven is on the PATH. */
function checkMaven() {
  const result = spawnSync('mvn', ['-v', '-B', '-q'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      'Maven (`mvn`) is required once to download the Kafka jars but it was not found' +
        (result.error ? ` (${result.error.message})` : '') +
        '. Install it (e.g. the `maven` package) and try again.',
    );
  }
}

/**
 * Resolves the pinned Kafka broker jars into the cache. A marker holding the POM's hash is written
 * only after a complete resolve, so an interrupted download is redone and a POM change re-resolves.
 * @param {{ cacheDir?: string, log?: (line: string) => void }} [options]
 * @returns {{ version: string, libsDir: string, classpath: string, cached: boolean }}
 */
function resolveKafka(options = {}) {
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const log = options.log ?? (() => {});
  const version = kafkaVersion();
  const versionDir = path.join(cacheDir, version);
  const libsDir = path.join(versionDir, 'libs');
  const marker = path.join(versionDir, 'resolved.json');
  const pomHash = crypto.createHash('sha256').update(fs.readFileSync(pomFile)).digest('hex');
  const classpath = path.join(libsDir, '*');

  const previous = readJson(marker);
  if (
    previous &&
    previous.pomHash === pomHash &&
    Array.isArray(previous.jars) &&
    previous.jars.every((jar) => fs.existsSync(path.join(libsDir, jar)))
  ) {
    return { version, libsDir, classpath, cached: true };
  }

  checkJava();
  checkMaven();
  log(`Resolving Apache Kafka ${version} jars with Maven (first run only)...`);
  fs.mkdirSync(versionDir, { recursive: true });
  // Resolve into a private folder and swap it in, so a concurrent or interrupted run never
  // leaves a half-filled libs folder behind a valid marker.
  const partialDir = path.join(versionDir, `libs.partial-${process.pid}-${Date.now()}`);
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pomFile,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${partialDir}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', cwd: repoRoot },
  );
  if (result.error || result.status !== 0) {
    fs.rmSync(partialDir, { recursive: true, force: true });
    throw new Error(
      `Maven could not resolve Kafka ${version} (exit ${result.status ?? result.error?.message}):\n` +
        tailText(`${result.stdout ?? ''}${result.stderr ?? ''}`, 40),
    );
  }
  const jars = fs.readdirSync(partialDir).filter((name) => name.endsWith('.jar'));
  if (!jars.some((name) => name.startsWith('kafka_2.13-'))) {
    fs.rmSync(partialDir, { recursive: true, force: true });
    throw new Error(
      `Maven finished but no kafka_2.13 jar was resolved (got: ${jars.join(', ') || 'nothing'})`,
    );
  }
  fs.rmSync(libsDir, { recursive: true, force: true });
  fs.renameSync(partialDir, libsDir);
  fs.writeFileSync(marker, `${JSON.stringify({ version, pomHash, jars: jars.sort() }, null, 2)}\n`);
  log(`Resolved ${jars.length} jars.`);
  return { version, libsDir, classpath, cached: false };
}

/**
 * Files that describe one broker; one folder per client port so several brokers can coexist.
 * @param {{ port?: number, cacheDir?: string, stateDir?: string, dataDir?: string, logFile?: string }} options
 */
function brokerPaths(options) {
  const port = options.port ?? DEFAULT_PORT;
  const stateDir = options.stateDir ?? path.join(options.cacheDir ?? DEFAULT_CACHE_DIR, `broker-${port}`);
  return {
    stateDir,
    dataDir: options.dataDir ?? path.join(stateDir, 'data'),
    logFile: options.logFile ?? path.join(stateDir, 'server.log'),
    consoleFile: path.join(stateDir, 'console.log'),
    propsFile: path.join(stateDir, 'server.properties'),
    log4jFile: path.join(stateDir, 'log4j2.properties'),
    pidFile: path.join(stateDir, 'kafka.pid'),
  };
}

/**
 * Broker settings for a single-node development/test cluster. A static voter set (rather than a
 * `--standalone` dynamic quorum) is used because it is re-read at every start, so the controller
 * port can change without reformatting the storage.
 */
function serverProperties({ port, controllerPort, dataDir }) {
  const settings = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': dataDir,
    // Topics exist only when declared in code; a typo must fail, not silently create a topic.
    'auto.create.topics.enable': 'false',
    'num.partitions': '1',
    'default.replication.factor': '1',
    'min.insync.replicas': '1',
    'offsets.topic.replication.factor': '1',
    // Fewer internal partitions load faster on a small machine and are plenty for one node.
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '4',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    // Tests create consumer groups constantly; the default 3 s delay would slow every one of them.
    'group.initial.rebalance.delay.ms': '0',
    // Small segments and short default retention keep a long-lived dev broker's disk use bounded;
    // declared topics set their own retention.
    'log.segment.bytes': String(16 * 1024 * 1024),
    'log.retention.hours': '24',
    'log.retention.check.interval.ms': '60000',
    'delete.topic.enable': 'true',
    'num.network.threads': '2',
    'num.io.threads': '4',
    'num.recovery.threads.per.data.dir': '1',
  };
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

/** Broker logs go to a size-capped file, never the console of whoever started the broker. */
function log4jProperties(logFile) {
  const escaped = logFile.replace(/\\/g, '\\\\');
  return [
    'status = warn',
    'name = hookline-kafka',
    'appender.file.type = RollingFile',
    'appender.file.name = file',
    `appender.file.fileName = ${escaped}`,
    `appender.file.filePattern = ${escaped}.%i`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'appender.file.policies.type = Policies',
    'appender.file.policies.size.type = SizeBasedTriggeringPolicy',
    'appender.file.policies.size.size = 20MB',
    'appender.file.strategy.type = DefaultRolloverStrategy',
    'appender.file.strategy.max = 2',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = file',
    // Per-request and per-segment chatter drowns the lines that explain a failure.
    'logger.request.name = kafka.request.logger',
    'logger.request.level = WARN',
    'logger.cleaner.name = kafka.log.LogCleaner',
    'logger.cleaner.level = WARN',
    '',
  ].join('\n');
}

/**
 * Starts a single-node KRaft broker in the background (it outlives the caller) and resolves once it
 * answers metadata requests. Reuses a broker this tooling already runs on the same port (then
 * `reused` is true and `stop` leaves it running for its owner). `fresh` wipes the stored data first.
 *
 * A broker that is still starting when `readyTimeoutMs` runs out (alive, its log still growing) is
 * left running, since killing it would only make it recover again, unless `stopOnTimeout`. One that
 * exited, or stopped logging for `stallTimeoutMs` without answering, has failed and is stopped.
 * @param {{
 *   port?: number, controllerPort?: number, cacheDir?: string, stateDir?: string, dataDir?: string,
 *   logFile?: string, heapMb?: number, readyTimeoutMs?: number, stallTimeoutMs?: number,
 *   stopOnTimeout?: boolean, fresh?: boolean, log?: (line: string) => void,
 * }} [options]
 * @returns {Promise<{ brokers: string, pid: number, port: number, controllerPort: number,
 *   reused: boolean, logFile: string, stateDir: string, stop: (timeoutMs?: number) => Promise<void> }>}
 */
async function startKafka(options = {}) {
  const port = options.port ?? DEFAULT_PORT;
  const controllerPort = options.controllerPort ?? port + 1;
  const heapMb = options.heapMb ?? 512;
  const readyTimeoutMs = options.readyTimeoutMs ?? readyTimeoutFromEnv() ?? DEFAULT_READY_TIMEOUT_MS;
  const wait = { timeoutMs: readyTimeoutMs, stallTimeoutMs: options.stallTimeoutMs };
  const log = options.log ?? (() => {});
  const paths = brokerPaths({ ...options, port });
  const brokers = `127.0.0.1:${port}`;

  fs.mkdirSync(paths.stateDir, { recursive: true });
  // Parallel test runs may start the same broker at once; the second waits, then reuses it.
  const release = await acquireStartLock(paths, port, LOCK_WAIT_MS + readyTimeoutMs);
  try {
    const running = runningBrokerPid(paths.pidFile);
    if (running !== undefined) {
      if (options.fresh) {
        throw new Error(
          `A broker (pid ${running}) already runs on port ${port}; a fresh start would wipe its data. ` +
            `Stop it first: node scripts/kafka.mjs stop --port ${port}`,
        );
      }
      try {
        await waitForBroker(brokers, { ...wait, pid: running, paths });
      } catch (error) {
        // Someone else's broker: never ours to stop.
        throw withOutcome(error, `It was left running: this call did not start it. ${hints(port)}`);
      }
      return handle({ brokers, pid: running, port, controllerPort, reused: true, paths });
    }
    return await launch({
      ...options,
      port,
      controllerPort,
      heapMb,
      wait,
      stopOnTimeout: options.stopOnTimeout ?? false,
      log,
      paths,
      brokers,
    });
  } finally {
    release();
  }
}

async function launch({
  port,
  controllerPort,
  heapMb,
  wait,
  stopOnTimeout,
  log,
  paths,
  brokers,
  cacheDir,
  fresh,
}) {
  checkJava();
  const { classpath, version } = resolveKafka({ cacheDir, log });
  for (const [what, candidate] of [
    ['client', port],
    ['controller', controllerPort],
  ]) {
    if (!(await portIsFree(candidate))) {
      throw new Error(
        `Cannot start Kafka: ${what} port ${candidate} on 127.0.0.1 is already in use by another process. ` +
          'Stop whatever listens there or choose another port (--port N uses N and N+1).',
      );
    }
  }

  if (fresh) fs.rmSync(paths.dataDir, { recursive: true, force: true });
  // Each start gets its own log, so a failure report never shows an older run's last lines.
  if (fs.existsSync(paths.logFile)) fs.renameSync(paths.logFile, `${paths.logFile}.previous`);
  fs.mkdirSync(paths.dataDir, { recursive: true });
  fs.mkdirSync(path.dirname(paths.logFile), { recursive: true });
  fs.writeFileSync(paths.propsFile, serverProperties({ port, controllerPort, dataDir: paths.dataDir }));
  fs.writeFileSync(paths.log4jFile, log4jProperties(paths.logFile));

  const jvmArgs = [
    `-Xmx${heapMb}m`,
    `-Xms${Math.min(heapMb, 128)}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${paths.log4jFile}`,
    '-cp',
    classpath,
  ];

  if (!fs.existsSync(path.join(paths.dataDir, 'meta.properties'))) {
    log(`Formatting KRaft storage in ${paths.dataDir}`);
    const clusterId = newClusterId();
    const format = spawnSync(
      javaBin(),
      [...jvmArgs, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', paths.propsFile],
      { encoding: 'utf8' },
    );
    if (format.error || format.status !== 0) {
      throw new Error(
        `Formatting Kafka storage failed (exit ${format.status ?? format.error?.message}):\n` +
          tailText(`${format.stdout ?? ''}${format.stderr ?? ''}`, 30),
      );
    }
  }

  log(`Starting Apache Kafka ${version} on ${brokers} (controller 127.0.0.1:${controllerPort})`);
  // The console file only catches what happens before log4j is up (JVM errors, bad classpath).
  const consoleFd = fs.openSync(paths.consoleFile, 'w');
  let child;
  try {
    child = spawn(javaBin(), [...jvmArgs, 'kafka.Kafka', paths.propsFile], {
      detached: true,
      stdio: ['ignore', consoleFd, consoleFd],
      cwd: paths.stateDir,
    });
  } finally {
    fs.closeSync(consoleFd);
  }
  const pid = await new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`Could not launch java: ${error.message}`)));
    child.once('spawn', () => resolve(child.pid));
  });
  child.unref();
  fs.writeFileSync(paths.pidFile, `${pid}\n`);

  try {
    await waitForBroker(brokers, { ...wait, pid, paths });
  } catch (error) {
    if (error.reason === 'timed-out' && !stopOnTimeout) {
      throw withOutcome(error, `It was left running (pid ${pid}) to finish starting. ${hints(port)}`);
    }
    await stopPid(pid, 5_000);
    fs.rmSync(paths.pidFile, { force: true });
    throw withOutcome(error, error.reason === 'exited' ? '' : `It was stopped (pid ${pid}).`);
  }
  log(`Kafka is ready on ${brokers} (pid ${pid})`);
  return handle({ brokers, pid, port, controllerPort, reused: false, paths });
}

/** A reused broker belongs to whoever started it, so its handle's `stop` leaves it running. */
function handle({ brokers, pid, port, controllerPort, reused, paths }) {
  return {
    brokers,
    pid,
    port,
    controllerPort,
    reused,
    logFile: paths.logFile,
    stateDir: paths.stateDir,
    stop: async (timeoutMs = DEFAULT_STOP_TIMEOUT_MS) => {
      if (reused) return;
      await stopPid(pid, timeoutMs);
      if (readPid(paths.pidFile) === pid) fs.rmSync(paths.pidFile, { force: true });
    },
  };
}

/**
 * Takes the per-broker start lock, waiting up to `waitMs` while another live process holds it; a
 * lock left by a dead process is taken over.
 * @returns {Promise<() => void>} releases the lock
 */
async function acquireStartLock(paths, port, waitMs) {
  const lockFile = path.join(paths.stateDir, 'start.lock');
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        if (readPid(lockFile) === process.pid) fs.rmSync(lockFile, { force: true });
      };
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = readPid(lockFile);
    if (holder === undefined || !isAlive(holder)) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Another process (pid ${holder}) has been starting the broker on port ${port} for too long.`,
      );
    }
    await sleep(200);
  }
}

/**
 * Stops the broker that this tooling started on `port`, via its pid file.
 * @param {{ port?: number, cacheDir?: string, stateDir?: string, timeoutMs?: number }} [options]
 * @returns {Promise<{ kind: 'stopped', pid: number, forced: boolean } | { kind: 'not-running' }>}
 */
async function stopKafka(options = {}) {
  const paths = brokerPaths(options);
  const pid = runningBrokerPid(paths.pidFile);
  if (pid === undefined) {
    fs.rmSync(paths.pidFile, { force: true });
    return { kind: 'not-running' };
  }
  const forced = await stopPid(pid, options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
  fs.rmSync(paths.pidFile, { force: true });
  return { kind: 'stopped', pid, forced };
}

/**
 * Reports whether this tooling's broker on `port` runs and answers.
 * @param {{ port?: number, cacheDir?: string, stateDir?: string }} [options]
 * @returns {Promise<{ kind: 'running', pid: number, brokers: string, answering: boolean, logFile: string }
 *   | { kind: 'stopped', stalePid: boolean }>}
 */
async function kafkaStatus(options = {}) {
  const port = options.port ?? DEFAULT_PORT;
  const paths = brokerPaths({ ...options, port });
  const pid = runningBrokerPid(paths.pidFile);
  if (pid === undefined) return { kind: 'stopped', stalePid: fs.existsSync(paths.pidFile) };
  const brokers = `127.0.0.1:${port}`;
  return { kind: 'running', pid, brokers, answering: await brokerAnswers(brokers), logFile: paths.logFile };
}

/**
 * Waits until a broker answers `describeCluster`, for up to `timeoutMs`. With `pid`, an exit of that
 * process fails at once; with `paths`, so does a broker whose log has not grown for `stallTimeoutMs`.
 * The error's `reason` says which: `exited`, `stalled` or `timed-out` (still starting, as far as
 * can be told).
 * @param {string} brokers
 * @param {{ timeoutMs?: number, stallTimeoutMs?: number, pid?: number,
 *   paths?: ReturnType<typeof brokerPaths> }} [options]
 */
async function waitForBroker(brokers, options = {}) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const started = Date.now();
  let mark = logMark(options.paths);
  let lastProgress = started;
  for (;;) {
    if (options.pid !== undefined && !isAlive(options.pid)) {
      throw notReady('exited', `Kafka exited during startup.\n${logTails(options.paths)}`);
    }
    const answer = await describeCluster(brokers);
    if (answer.kind === 'answered') return;
    const now = Date.now();
    const nextMark = logMark(options.paths);
    if (nextMark !== mark) {
      mark = nextMark;
      lastProgress = now;
    }
    const quietMs = now - lastProgress;
    if (options.paths && quietMs >= stallTimeoutMs) {
      throw notReady(
        'stalled',
        `Kafka on ${brokers} has not answered in ${seconds(now - started)} and has not written to its ` +
          `log for ${seconds(quietMs)}: it looks stuck (last error: ${answer.reason}).\n${logTails(options.paths)}`,
      );
    }
    if (now - started >= timeoutMs) {
      const progress = options.paths ? `; its log last grew ${seconds(quietMs)} ago` : '';
      throw notReady(
        'timed-out',
        `Kafka on ${brokers} did not answer within ${seconds(timeoutMs)}${progress} ` +
          `(last error: ${answer.reason}).\n${logTails(options.paths)}`,
      );
    }
    await sleep(250);
  }
}

/** An error from `waitForBroker`, with why it gave up. */
function notReady(reason, message) {
  return Object.assign(new Error(message), { reason });
}

// The outcome goes before the log tails, where a reader looks first.
function withOutcome(error, outcome) {
  if (!outcome) return error;
  const [summary, ...tails] = error.message.split('\n');
  error.message = [`${summary}\n${outcome}`, ...tails].join('\n');
  return error;
}

function hints(port) {
  return (
    `Wait for it with \`node scripts/kafka.mjs start --port ${port} --ready-timeout 20m\` (or set ` +
    `${READY_TIMEOUT_ENV}), check it with \`node scripts/kafka.mjs status --port ${port}\`, or stop it ` +
    `with \`node scripts/kafka.mjs stop --port ${port}\`.`
  );
}

/** What changes whenever the broker logs a line (a rollover too), or '' without a log to look at. */
function logMark(paths) {
  if (!paths) return '';
  return [paths.logFile, paths.consoleFile]
    .map((file) => {
      try {
        const stat = fs.statSync(file);
        return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}

function seconds(ms) {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * A duration as the services read them: `250ms`, `90s`, `10m`, `1h` or plain milliseconds.
 * @param {string} text
 * @returns {number | undefined} milliseconds, or undefined when `text` is not a duration
 */
function parseDuration(text) {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms'];
  const ms = Number(match[1]) * unit;
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}

/** The ready timeout set in the environment, if any; a value that is no duration is an error. */
function readyTimeoutFromEnv() {
  const text = process.env[READY_TIMEOUT_ENV];
  if (text === undefined || text === '') return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new Error(`${READY_TIMEOUT_ENV} must be a duration such as 90s, 10m or 600000, got "${text}"`);
  }
  return ms;
}

async function brokerAnswers(brokers) {
  return (await describeCluster(brokers)).kind === 'answered';
}

/** @returns {Promise<{ kind: 'answered' } | { kind: 'no-answer', reason: string }>} */
async function describeCluster(brokers) {
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({
    clientId: 'hookline-kafka-probe',
    brokers: [brokers],
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0
      ? { kind: 'answered' }
      : { kind: 'no-answer', reason: 'no brokers listed' };
  } catch (error) {
    return { kind: 'no-answer', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Sends SIGTERM (Kafka then shuts down in a controlled way) and escalates to SIGKILL after
 * `timeoutMs`.
 * @returns {Promise<boolean>} whether the process had to be killed
 */
async function stopPid(pid, timeoutMs) {
  if (!isAlive(pid)) return false;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return false;
    await sleep(100);
  }
  signal(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  return true;
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

/** A zombie (exited, not yet reaped) counts as dead: it no longer serves anything. */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function readPid(pidFile) {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid from the file, only if that process is still alive and still a Kafka broker (pids get reused). */
function runningBrokerPid(pidFile) {
  const pid = readPid(pidFile);
  if (pid === undefined || !isAlive(pid)) return undefined;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') ? pid : undefined;
  } catch {
    // No /proc (not Linux): trust the pid file.
    return pid;
  }
}

/** A random cluster id in Kafka's format; never starting with `-`, which the tool would take for a flag. */
function newClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function logTails(paths) {
  if (!paths) return '';
  const sections = [];
  for (const file of [paths.consoleFile, paths.logFile]) {
    try {
      const text = fs.readFileSync(file, 'utf8').trim();
      if (text) sections.push(`--- last lines of ${file} ---\n${tailText(text, 40)}`);
    } catch {
      // A missing log just means the broker never got that far.
    }
  }
  return sections.join('\n') || '(the broker wrote no log output)';
}

function tailText(text, lines) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = {
  DEFAULT_CACHE_DIR,
  DEFAULT_PORT,
  DEFAULT_READY_TIMEOUT_MS,
  READY_TIMEOUT_ENV,
  parseDuration,
  kafkaVersion,
  checkJava,
  resolveKafka,
  startKafka,
  stopKafka,
  kafkaStatus,
  waitForBroker,
  brokerPaths,
};
