// What the numbers were measured on.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { createRequire } from 'node:module';
import { NODE } from './infra.mjs';

const require = createRequire(import.meta.url);

/** Cores, memory, OS and the versions of everything in the run. */
export function describeMachine(extra = {}) {
  const node = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${type()} ${release()}`,
    node,
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
    packages: {
      kafkajs: require('kafkajs/package.json').version,
      undici: require('undici/package.json').version,
      bullmq: require('bullmq/package.json').version,
      ioredis: require('ioredis/package.json').version,
    },
    ...extra,
  };
}
