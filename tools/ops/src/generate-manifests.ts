/**
 * Writes the generated manifests of k8s/base (Kafka topics from declareTopics(), the PrometheusRule
 * from the rule file, the dashboards ConfigMap), or with `--check` only reports the stale ones.
 * With `--preset`, `--partitions`, `--event-partitions`, `--replication-factor`, `--strimzi-api` and
 * `--out` it writes just a topics file for another setup (an overlay for the appmint preset, say, or
 * `--strimzi-api v1beta2` for a cluster on Strimzi 0.48 or older, which does not serve `v1`).
 *
 *   node tools/ops/dist/generate-manifests.js [--check]
 *   node tools/ops/dist/generate-manifests.js --preset appmint --out k8s/overlays/x/kafka-topics.yaml
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PRESET_NAMES, type PresetName } from '@hookline/presets';
import { type GeneratedFile, generateManifests, kafkaTopicsFile } from './generated-manifests';
import { BASE_TOPICS, STRIMZI_API_VERSIONS, type StrimziApiVersion } from './kafka-topics.manifest';
import { REPO_ROOT } from './repo-root';

const USAGE =
  'usage: generate-manifests [--check] | --out FILE [--preset NAME] [--partitions N] [--event-partitions N] [--replication-factor N] [--strimzi-api v1|v1beta2]';

/** Runs the command with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], root = REPO_ROOT): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      check: { type: 'boolean', default: false },
      out: { type: 'string' },
      preset: { type: 'string' },
      partitions: { type: 'string' },
      'event-partitions': { type: 'string' },
      'replication-factor': { type: 'string' },
      'strimzi-api': { type: 'string' },
    },
  });
  const topicFlags =
    values.preset ??
    values.partitions ??
    values['event-partitions'] ??
    values['replication-factor'] ??
    values['strimzi-api'];
  if (topicFlags !== undefined && values.out === undefined) throw new Error(`--out is required\n${USAGE}`);

  const files =
    values.out === undefined
      ? await generateManifests(root)
      : [
          await kafkaTopicsFile(root, values.out, {
            ...BASE_TOPICS,
            preset: presetName(values.preset ?? BASE_TOPICS.preset),
            partitions: positive('--partitions', values.partitions, BASE_TOPICS.partitions),
            eventPartitions: positive(
              '--event-partitions',
              values['event-partitions'],
              BASE_TOPICS.eventPartitions,
            ),
            replicationFactor: positive(
              '--replication-factor',
              values['replication-factor'],
              BASE_TOPICS.replicationFactor,
            ),
            apiVersion: strimziApi(values['strimzi-api']),
          }),
        ];

  if (values.check) {
    const stale = files.filter((file) => !isCurrent(root, file));
    for (const file of stale) console.error(`stale: ${file.path}`);
    if (stale.length > 0) console.error('run `npx nx run ops:generate` and commit the result');
    return stale.length === 0 ? 0 : 1;
  }
  for (const file of files) {
    const state = isCurrent(root, file) ? 'unchanged' : 'written  ';
    writeFileSync(join(root, file.path), file.content);
    console.log(`${state} ${file.path}`);
  }
  return 0;
}

function isCurrent(root: string, file: GeneratedFile): boolean {
  const path = join(root, file.path);
  return existsSync(path) && readFileSync(path, 'utf8') === file.content;
}

function presetName(value: string): PresetName {
  if (!(PRESET_NAMES as readonly string[]).includes(value)) {
    throw new Error(`--preset must be one of ${PRESET_NAMES.join(', ')}, got "${value}"`);
  }
  return value as PresetName;
}

function strimziApi(value: string | undefined): StrimziApiVersion {
  if (value === undefined) return BASE_TOPICS.apiVersion;
  const apiVersion = `kafka.strimzi.io/${value}`;
  if (!(STRIMZI_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    const accepted = STRIMZI_API_VERSIONS.map((version) => version.split('/')[1]).join(', ');
    throw new Error(`--strimzi-api must be one of ${accepted}, got "${value}"`);
  }
  return apiVersion as StrimziApiVersion;
}

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return number;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 2;
    },
  );
}
