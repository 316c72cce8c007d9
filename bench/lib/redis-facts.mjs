// Version, pid and persistence settings of the Redis server the BullMQ baseline uses.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Redis = require('ioredis');

/** Reads `INFO server` and the persistence settings. */
export async function redisFacts({ host, port }) {
  const client = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    const info = await client.info('server');
    const field = (name) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    const [, save] = await client.config('GET', 'save');
    const [, appendonly] = await client.config('GET', 'appendonly');
    return {
      version: field('redis_version'),
      pid: Number(field('process_id')),
      persistence: `save "${save}", appendonly ${appendonly}`,
    };
  } finally {
    client.disconnect();
  }
}
