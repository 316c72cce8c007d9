// The non-Node way into Hookline: events written straight to the ingest topic by Apache Kafka's own
// console producer (the `kafka-console-producer` tool, run with java from the project's broker jars
// plus the kafka-tools jar of the same version), and the check of what the topic really holds.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { ROOT } from '../../bench/lib/infra.mjs';

const require = createRequire(import.meta.url);
const { checkJava, kafkaVersion, resolveKafka } = require(join(ROOT, 'tools', 'infra', 'kafka.cjs'));
const { Kafka, logLevel } = require('kafkajs');
const { INGEST_INVALID_TOPIC, INGEST_TOPIC } = require('@hookline/events');
// The header ingest puts the reason in, on a record it sets aside as invalid.
const INGEST_ERROR_HEADER = 'hookline-error';
const { TENANT_ID_HEADER } = require('@hookline/kafka');

const CONSOLE_PRODUCER = 'org.apache.kafka.tools.ConsoleProducer';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

function javaBin() {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/**
 * The class path of the console producer: the broker's jars (resolved by the project's Kafka
 * tooling) and `kafka-tools` of the same version, which Maven fetches once into `.cache/chaos`.
 */
export function consoleProducerClasspath({ log = () => {} } = {}) {
  checkJava();
  const version = kafkaVersion();
  const { classpath } = resolveKafka({ log });
  const dir = join(ROOT, '.cache', 'chaos', 'kafka-tools', version);
  const jar = join(dir, `kafka-tools-${version}.jar`);
  if (!existsSync(jar)) {
    log(`Resolving org.apache.kafka:kafka-tools:${version} with Maven (first run only)`);
    const partial = join(dir, `partial-${process.pid}`);
    const result = spawnSync(
      'mvn',
      [
        '-q',
        '-B',
        `${DEPENDENCY_PLUGIN}:copy`,
        `-Dartifact=org.apache.kafka:kafka-tools:${version}`,
        `-DoutputDirectory=${partial}`,
      ],
      { encoding: 'utf8', cwd: ROOT },
    );
    if (result.error || result.status !== 0 || !existsSync(join(partial, `kafka-tools-${version}.jar`))) {
      rmSync(partial, { recursive: true, force: true });
      throw new Error(
        `Maven could not fetch kafka-tools ${version}: ${result.error?.message ?? ''}${result.stdout}${result.stderr}`,
      );
    }
    mkdirSync(dir, { recursive: true });
    renameSync(join(partial, `kafka-tools-${version}.jar`), jar);
    rmSync(partial, { recursive: true, force: true });
  }
  return { classpath: `${classpath}${delimiter}${jar}`, version, mainClass: CONSOLE_PRODUCER };
}

/**
 * Starts the console producer on the ingest topic. Each line it reads is `headers<TAB>key<TAB>value`
 * (`parse.headers`, `parse.key`); the tenant goes in a record header, as ingest expects. Records
 * wait in the producer while the broker is away (acks=all, idempotent, long delivery timeout).
 */
export async function startConsoleProducer({ brokers, classpath, logFile }) {
  const output = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(
    javaBin(),
    [
      '-Xmx128m',
      '-Xms32m',
      '-XX:+UseSerialGC',
      '-cp',
      classpath,
      CONSOLE_PRODUCER,
      '--bootstrap-server',
      brokers,
      '--topic',
      INGEST_TOPIC,
      '--property',
      'parse.key=true',
      '--property',
      'parse.headers=true',
      '--producer-property',
      'acks=all',
      '--producer-property',
      'enable.idempotence=true',
      '--producer-property',
      'linger.ms=5',
      '--producer-property',
      'delivery.timeout.ms=300000',
      '--producer-property',
      'reconnect.backoff.max.ms=1000',
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(output, { end: false });
  child.stderr.pipe(output, { end: false });
  let writeError;
  child.stdin.on('error', (error) => (writeError ??= error.message));
  await new Promise((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`could not start the console producer: ${error.message}`)),
    );
    child.once('spawn', resolve);
  });
  let lines = 0;
  return {
    pid: child.pid,
    /** Writes one event; the tenant goes in the header ingest reads it from. */
    send({ tenantId, key, value }) {
      if (child.exitCode !== null || child.signalCode !== null) {
        writeError ??= `the console producer exited (${child.signalCode ?? child.exitCode})`;
        return false;
      }
      child.stdin.write(`${TENANT_ID_HEADER}:${tenantId}\t${key}\t${value}\n`);
      lines += 1;
      return true;
    },
    /** Ends its input and waits until it has flushed and exited (SIGKILL after `timeoutMs`). */
    async close(timeoutMs = 120_000) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      output.end();
      return { lines, exitCode: child.exitCode, signal: child.signalCode, writeError };
    },
  };
}

/**
 * Reads `topic` from its start to its current end, handing each record to `onRecord`; resolves once
 * every partition has been read up to where it ended when the call began.
 */
async function readTopic(brokers, topic, onRecord, timeoutMs = 60_000) {
  const kafka = new Kafka({
    brokers: [brokers],
    clientId: 'hookline-chaos-audit',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map();
  try {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic))
      if (BigInt(high) > 0n) ends.set(partition, BigInt(high));
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return;
  const consumer = kafka.consumer({ groupId: `hookline-chaos-audit-${process.pid}-${Date.now()}` });
  const remaining = new Set(ends.keys());
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) onRecord(message);
          const end = ends.get(batch.partition);
          if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) remaining.delete(batch.partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

function eventIdOf(message) {
  try {
    const id = JSON.parse(message.value.toString('utf8')).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    // Not ours: the suite writes JSON only.
    return undefined;
  }
}

/**
 * The ids (`evt_…`) of the events on the ingest topic that satisfy `wanted`: what Kafka
 * acknowledged, whatever the producer was told.
 */
export async function idsOnIngestTopic(brokers, wanted) {
  const ids = new Set();
  await readTopic(brokers, INGEST_TOPIC, (message) => {
    const id = eventIdOf(message);
    if (id !== undefined && wanted(id)) ids.add(id);
  });
  return ids;
}

/** The events satisfying `wanted` that ingest set aside as invalid, with the reason it gave (event id → reason). */
export async function refusedByIngest(brokers, wanted) {
  const reasons = new Map();
  await readTopic(brokers, INGEST_INVALID_TOPIC, (message) => {
    const id = eventIdOf(message);
    if (id === undefined || !wanted(id)) return;
    const header = message.headers?.[INGEST_ERROR_HEADER];
    let reason = header === undefined ? 'no reason given' : String(header);
    try {
      const parsed = JSON.parse(reason);
      reason = `${parsed.type}: ${parsed.message}`;
    } catch {
      // Keep the header as it is.
    }
    reasons.set(id, reason);
  });
  return reasons;
}

/** How many records each topic holds (the sum of its partitions' end offsets). */
export async function topicSizes(brokers, topics) {
  const kafka = new Kafka({
    brokers: [brokers],
    clientId: 'hookline-chaos-audit',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const sizes = {};
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      sizes[topic] = offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
    }
    return sizes;
  } finally {
    await admin.disconnect();
  }
}
