import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GENERATED, generateManifests, SOURCES } from '../src/generated-manifests';
import { main } from '../src/generate-manifests';
import { REPO_ROOT } from '../src/repo-root';
import { kubernetesObjects } from './support/manifests';

describe('generated Kubernetes manifests', () => {
  it('are up to date with their sources (declareTopics(), the rule file, the dashboards)', async () => {
    const stale = (await generateManifests(REPO_ROOT))
      .filter((file) => readFileSync(join(REPO_ROOT, file.path), 'utf8') !== file.content)
      .map((file) => file.path);
    // If this fails, run `npx nx run ops:generate` and commit the result.
    expect(stale).toEqual([]);
  });

  describe('the generate command', () => {
    let copy: string;

    beforeEach(() => {
      // A scratch copy of exactly the files the generator reads and writes, plus the Prettier config.
      copy = mkdtempSync(join(tmpdir(), 'hookline-ops-'));
      for (const path of [
        SOURCES.rules,
        SOURCES.dashboards,
        ...Object.values(GENERATED),
        '.prettierrc.json',
      ]) {
        mkdirSync(dirname(join(copy, path)), { recursive: true });
        cpSync(join(REPO_ROOT, path), join(copy, path), { recursive: true });
      }
    });
    afterEach(() => rmSync(copy, { recursive: true, force: true }));

    it('reports a stale file with --check and rewrites it without', async () => {
      writeFileSync(join(copy, GENERATED.kafkaTopics), '# edited by hand\n');
      const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      const logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        expect(await main(['--check'], copy)).toBe(1);
        expect(errors).toHaveBeenCalledWith(`stale: ${GENERATED.kafkaTopics}`);

        expect(await main([], copy)).toBe(0);
        expect(readFileSync(join(copy, GENERATED.kafkaTopics), 'utf8')).toBe(
          readFileSync(join(REPO_ROOT, GENERATED.kafkaTopics), 'utf8'),
        );
        expect(await main(['--check'], copy)).toBe(0);
      } finally {
        errors.mockRestore();
        logs.mockRestore();
      }
    });

    it('follows a change of the rule file into the PrometheusRule', async () => {
      const rules = join(copy, SOURCES.rules);
      writeFileSync(
        rules,
        readFileSync(rules, 'utf8').replace('HooklinePoisonMessages', 'HooklinePoisonMessagesSeen'),
      );
      const logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        expect(await main([], copy)).toBe(0);
      } finally {
        logs.mockRestore();
      }
      expect(readFileSync(join(copy, GENERATED.prometheusRule), 'utf8')).toMatch(
        /alert: HooklinePoisonMessagesSeen\n/,
      );
    });

    it('writes the topics of another preset to a file of its own', async () => {
      const logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        const out = 'k8s/overlays/appmint/kafka-topics.yaml';
        mkdirSync(join(copy, dirname(out)), { recursive: true });
        expect(await main(['--preset', 'appmint', '--replication-factor', '1', '--out', out], copy)).toBe(0);
        const topics = kubernetesObjects(readFileSync(join(copy, out), 'utf8'), out) as unknown as Array<{
          spec: { topicName: string; replicas: number };
        }>;
        expect(topics.map((t) => t.spec.topicName)).toContain('hookline.retry.6h');
        expect(new Set(topics.map((t) => t.spec.replicas))).toEqual(new Set([1]));
      } finally {
        logs.mockRestore();
      }
      await expect(main(['--preset', 'appmint'], copy)).rejects.toThrow(/--out is required/);
      await expect(main(['--out', 'x.yaml', '--preset', 'nope'], copy)).rejects.toThrow(
        /--preset must be one of/,
      );
    });

    it('writes kafka.strimzi.io/v1 unless an older Strimzi API is asked for explicitly', async () => {
      const logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      const apiVersions = (path: string) =>
        new Set(
          kubernetesObjects(readFileSync(join(copy, path), 'utf8'), path).map((object) => object.apiVersion),
        );
      try {
        expect(await main(['--out', 'current.yaml'], copy)).toBe(0);
        expect(await main(['--strimzi-api', 'v1beta2', '--out', 'old.yaml'], copy)).toBe(0);
      } finally {
        logs.mockRestore();
      }
      expect(apiVersions('current.yaml')).toEqual(new Set(['kafka.strimzi.io/v1']));
      expect(apiVersions(GENERATED.kafkaTopics)).toEqual(new Set(['kafka.strimzi.io/v1']));
      expect(apiVersions('old.yaml')).toEqual(new Set(['kafka.strimzi.io/v1beta2']));
      await expect(main(['--strimzi-api', 'v1beta2'], copy)).rejects.toThrow(/--out is required/);
      await expect(main(['--strimzi-api', 'v1alpha1', '--out', 'x.yaml'], copy)).rejects.toThrow(
        /--strimzi-api must be one of v1, v1beta2/,
      );
    });
  });
});
