// The BullMQ baseline's worker: what a Node team would build instead of Hookline — one job per
// delivery in a Redis queue, a worker that signs the body with HMAC-SHA256 and POSTs it with
// undici over keep-alive connections, and BullMQ's own retries with backoff when the answer is not
// 2xx. Several of these processes may run side by side.
/* global AbortSignal */
import { createRequire } from 'node:module';
import { Agent, request } from 'undici';
import { signedHeaders } from '../lib/webhook-body.mjs';

const require = createRequire(import.meta.url);
const { Worker } = require('bullmq');

const settings = JSON.parse(process.env.BENCH_BULLMQ);
const agent = new Agent({
  keepAliveTimeout: 30_000,
  pipelining: 1,
  connections: settings.connectionsPerOrigin,
});

const worker = new Worker(
  settings.queue,
  async (job) => {
    const { url, secret, eventId, deliveryId, body } = job.data;
    const bytes = Buffer.from(body);
    const response = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: signedHeaders({ eventId, deliveryId, body: bytes, secret }),
      body: bytes,
      signal: AbortSignal.timeout(settings.attemptTimeoutMs),
    });
    await response.body.dump();
    if (response.statusCode >= 300) throw new Error(`endpoint answered ${response.statusCode}`);
  },
  {
    connection: settings.connection,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
  },
);
worker.on('error', (error) => console.error(`bullmq worker: ${error.message}`));

await worker.waitUntilReady();
process.send({ op: 'ready' });

const stop = async () => {
  await worker.close();
  await agent.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
