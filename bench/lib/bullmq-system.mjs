// The BullMQ baseline as a system under test: the load generator fans each event out into one job per
// endpoint (`addBulk`), worker processes deliver them. Each run gets its own queue, emptied after.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startChild } from './child.mjs';
import { PRESET, newSecret, renderEvent } from './webhook-body.mjs';

const require = createRequire(import.meta.url);
const { Queue } = require('bullmq');

const WORKER = fileURLToPath(new URL('../processes/bullmq-worker.mjs', import.meta.url));
const now = () => performance.timeOrigin + performance.now();

/** Retries as a Node team would configure them: a bounded number, a fixed first backoff like the preset's. */
const JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'fixed', delay: PRESET.retry.delaysMs[0] },
  removeOnComplete: true,
  removeOnFail: true,
};

/** Connects to Redis; `tuning` (`{ workers, concurrency }`) says how many worker processes and slots. */
export async function startBullmq({ redis, tag }) {
  const connection = { host: redis.host, port: redis.port, maxRetriesPerRequest: null };
  const prefix = `hookline-bench-${tag}`;
  let tuning = { workers: 1, concurrency: 64 };
  let seq = 0;
  const open = new Set();
  const teardown = async (scope) => {
    open.delete(scope);
    await Promise.all(scope.workers.map((worker) => worker.stop()));
    await scope.queue.obliterate({ force: true });
    await scope.queue.close();
  };

  return {
    name: 'bullmq',
    label: 'BullMQ (Redis) worker queue',
    redis,
    get tuning() {
      return tuning;
    },
    /** Sets the worker processes and per-process concurrency of the next runs. */
    tune(next) {
      tuning = { ...tuning, ...next };
    },
    /** A queue of the run's own, with `tuning.workers` worker processes on it. */
    async createScope(name) {
      const queueName = `${name}-${randomBytes(3).toString('hex')}`;
      const queue = new Queue(queueName, { connection, prefix });
      await queue.waitUntilReady();
      const workers = [];
      for (let i = 0; i < tuning.workers; i += 1) {
        workers.push(
          await startChild(WORKER, {
            env: {
              BENCH_BULLMQ: JSON.stringify({
                queue: queueName,
                prefix,
                connection,
                concurrency: tuning.concurrency,
                connectionsPerOrigin: tuning.concurrency,
                attemptTimeoutMs: PRESET.attemptTimeoutMs,
              }),
            },
          }),
        );
      }
      const scope = { queue, workers, endpoints: [] };
      open.add(scope);
      return scope;
    },
    async addEndpoints(scope, specs) {
      const created = specs.map((spec) => ({
        key: spec.key,
        id: spec.key,
        url: spec.url,
        secret: newSecret(),
      }));
      scope.endpoints.push(...created);
      return created;
    },
    /** Stops the workers and deletes the queue with whatever it still holds (retries, slow jobs). */
    removeEndpoints: (scope) => teardown(scope),
    /** Renders `count` events and enqueues one delivery job per event and endpoint in one `addBulk`. */
    async submit(scope, count) {
      const jobs = [];
      const events = [];
      for (let i = 0; i < count; i += 1) {
        const event = renderEvent(tag, seq++, scope.endpoints.length);
        const body = event.body.toString('utf8');
        events.push(event.id);
        for (const endpoint of scope.endpoints) {
          jobs.push({
            name: 'deliver',
            data: {
              url: endpoint.url,
              secret: endpoint.secret,
              eventId: event.id,
              deliveryId: `delivery_${event.id.slice(4)}_${endpoint.key}`,
              body,
            },
            opts: JOB_OPTIONS,
          });
        }
      }
      try {
        await scope.queue.addBulk(jobs);
        const ackAt = now();
        return { ok: true, events: events.map((eventId) => ({ eventId, ackAt })) };
      } catch (error) {
        return { ok: false, status: 0, detail: error.message };
      }
    },
    processesOf(scope) {
      return scope.workers.map((worker, i) => ({ name: `bullmq-worker-${i + 1}`, pid: worker.pid }));
    },
    /** Tears down every queue still open (an interrupted run leaves nothing behind in Redis). */
    async stop() {
      await Promise.allSettled([...open].map(teardown));
    },
  };
}
