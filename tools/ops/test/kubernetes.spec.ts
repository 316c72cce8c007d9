import { declareTopics } from '@hookline/kafka';
import { PRESETS } from '@hookline/presets';
import { parse } from 'yaml';
import { type KubernetesObject, describe as name, validateObjects } from './support/kubernetes-schemas';
import { kubernetesObjects, readWorkspaceFile, yamlFilesUnder } from './support/manifests';
import { checkServiceConfig, knownConfigKeys, SERVICE_NAMES, SERVICES } from './support/service-config';
import { kustomizeBuild } from './support/tools';

// The fields these tests read, typed loosely: the schemas are checked separately.
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
}
interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown> & { seccompProfile?: { type: string } };
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
}
interface Workload extends KubernetesObject {
  spec: { replicas?: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

const OVERLAYS = ['dev', 'prod'] as const;
const rendered = Object.fromEntries(
  OVERLAYS.map((overlay) => [overlay, kubernetesObjects(kustomizeBuild(`k8s/overlays/${overlay}`), overlay)]),
) as Record<(typeof OVERLAYS)[number], KubernetesObject[]>;

function ofKind<T extends KubernetesObject>(objects: readonly KubernetesObject[], kind: string): T[] {
  return objects.filter((object) => object.kind === kind) as T[];
}

function only<T extends KubernetesObject>(
  objects: readonly KubernetesObject[],
  kind: string,
  objectName: string,
): T {
  const found = ofKind<T>(objects, kind).filter((object) => object.metadata?.name === objectName);
  expect(found.map(name)).toEqual([`${kind}/${objectName}`]);
  return found[0];
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text);
  if (!match) throw new Error(`unexpected duration ${text}`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 'ms']!;
}

/** The environment a container gets: its ConfigMaps and Secrets, then its own `env` on top. */
function containerEnv(
  objects: readonly KubernetesObject[],
  container: Container,
  outOfBandSecrets: Record<string, string>,
): Record<string, string> {
  const secret = (secretName: string): Record<string, string> => {
    const found = ofKind<KubernetesObject & { data?: Record<string, string> }>(objects, 'Secret').find(
      (s) => s.metadata?.name === secretName,
    );
    if (!found) return outOfBandSecrets;
    return Object.fromEntries(
      Object.entries(found.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
    );
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const configMap = only<KubernetesObject & { data: Record<string, string> }>(
        objects,
        'ConfigMap',
        source.configMapRef.name,
      );
      Object.assign(env, configMap.data);
    }
    if (source.secretRef) Object.assign(env, secret(source.secretRef.name));
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) env[variable.name] = secret(ref.name)[ref.key];
  }
  return env;
}

describe('Kubernetes manifests', () => {
  it('every file in k8s/base validates against the Kubernetes, prometheus-operator and Strimzi schemas', async () => {
    const files = yamlFilesUnder('k8s/base').filter((file) => !file.endsWith('kustomization.yaml'));
    const objects = files.flatMap((file) => kubernetesObjects(readWorkspaceFile(file), file));

    expect(await validateObjects(objects)).toEqual([]);
    expect(new Set(objects.map((o) => o.kind))).toEqual(
      new Set([
        'Deployment',
        'Service',
        'PodDisruptionBudget',
        'HorizontalPodAutoscaler',
        'Job',
        'NetworkPolicy',
        'ServiceMonitor',
        'PrometheusRule',
        'ConfigMap',
        'KafkaTopic',
      ]),
    );
  });

  it('the validation catches a misspelt field and a wrong type', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: {
        replicas: 'two',
        selector: { matchLabels: { a: 'b' } },
        template: { spec: { containers: [{ name: 'c', image: 'i', readinesProbe: {} }] } },
      },
    };
    const topic = {
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaTopic',
      metadata: { name: 'Bad_Name', labels: {} },
      spec: { partitions: 0, replica: 3 },
    };

    const problems = await validateObjects([deployment, topic]);

    expect(problems.join('\n')).toMatch(/Deployment\/broken: .*replicas must be integer/);
    expect(problems.join('\n')).toMatch(
      /Deployment\/broken: .*readinesProbe.* does not exist in type 'IContainer'/,
    );
    expect(problems.join('\n')).toMatch(/KafkaTopic\/Bad_Name: .*strimzi\.io\/cluster/);
    expect(problems.join('\n')).toMatch(/KafkaTopic\/Bad_Name: .*additional properties/);
  });

  it("the config check is the services' own: it refuses a bad value and accepts a good one", () => {
    const env = { DATABASE_URL: 'postgres://h:p@db:5432/hookline', KAFKA_BROKERS: 'kafka:9092' };
    expect(checkServiceConfig('dispatcher', { ...env, SHUTDOWN_GRACE_MS: '25 seconds' })).toEqual({
      kind: 'refused',
      message: expect.stringContaining('SHUTDOWN_GRACE_MS'),
    });
    expect(checkServiceConfig('dispatcher', { ...env, SHUTDOWN_GRACE_MS: '40s' })).toEqual({ kind: 'valid' });
  });

  describe.each(OVERLAYS)('the %s overlay', (overlay) => {
    const objects = rendered[overlay];
    const deployments = () => ofKind<Workload>(objects, 'Deployment');
    const secrets: Record<string, string> = {
      DATABASE_URL: 'postgres://hookline:placeholder@postgres.example:5432/hookline',
    };

    it('renders, and every object it renders validates', async () => {
      expect(objects.length).toBeGreaterThan(0);
      expect(await validateObjects(objects)).toEqual([]);
      const namespaces = new Set(objects.map((o) => o.metadata?.namespace));
      expect(namespaces).toEqual(new Set([overlay === 'dev' ? 'hookline-dev' : 'hookline']));
    });

    it('runs each service in a Deployment with probes, resources and a restrictive security context', () => {
      expect(
        deployments()
          .map((d) => d.metadata?.name)
          .sort(),
      ).toEqual(SERVICE_NAMES.map((service) => `hookline-${service}`).sort());
      for (const service of SERVICE_NAMES) {
        const deployment = only<Workload>(objects, 'Deployment', `hookline-${service}`);
        const pod = deployment.spec.template.spec;
        const [container] = pod.containers;
        expect(pod.containers).toHaveLength(1);
        expect(container.image).toMatch(new RegExp(`^hookline/${service}:`));
        expect(container.ports).toContainEqual(
          expect.objectContaining({ name: 'http', containerPort: SERVICES[service] }),
        );
        expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
        for (const bound of ['requests', 'limits'] as const) {
          expect(Object.keys(container.resources?.[bound] ?? {}).sort()).toEqual(['cpu', 'memory']);
        }
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.securityContext).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
      }
    });

    it('gives every pod longer to terminate than its preStop pause plus SHUTDOWN_GRACE_MS', () => {
      const shortfalls = deployments().flatMap((deployment) => {
        const pod = deployment.spec.template.spec;
        const [container] = pod.containers;
        const preStop = container.lifecycle?.preStop?.exec?.command;
        const pauseMs = preStop ? Number(preStop[preStop.length - 1]) * 1000 : 0;
        const graceMs = durationMs(containerEnv(objects, container, secrets).SHUTDOWN_GRACE_MS ?? '25s');
        const terminationMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
        // Five seconds for closing connections after the service's own deadline.
        return terminationMs >= pauseMs + graceMs + 5000
          ? []
          : [{ deployment: name(deployment), terminationMs, pauseMs, graceMs }];
      });
      expect(shortfalls).toEqual([]);
      // The dispatcher's grace must outlast one delivery attempt, or shutdown would cut it off.
      const dispatcher = only<Workload>(objects, 'Deployment', 'hookline-dispatcher');
      const env = containerEnv(objects, dispatcher.spec.template.spec.containers[0], secrets);
      expect(durationMs(env.SHUTDOWN_GRACE_MS)).toBeGreaterThan(PRESETS.hookline.attemptTimeoutMs);
    });

    it('configures every service with keys Hookline reads and values its config reader accepts', () => {
      const known = knownConfigKeys();
      for (const deployment of deployments()) {
        const [container] = deployment.spec.template.spec.containers;
        const env = containerEnv(objects, container, secrets);
        expect({
          deployment: name(deployment),
          unknown: Object.keys(env).filter((key) => !known.has(key)),
        }).toEqual({
          deployment: name(deployment),
          unknown: [],
        });
        const service = deployment.metadata!.labels![
          'app.kubernetes.io/name'
        ] as (typeof SERVICE_NAMES)[number];
        expect({ service, config: checkServiceConfig(service, env) }).toEqual({
          service,
          config: { kind: 'valid' },
        });
      }
    });

    it('keeps secrets out of the ConfigMap, and out of the repository in production', () => {
      const configMaps = ofKind<KubernetesObject & { data: Record<string, string> }>(objects, 'ConfigMap');
      for (const configMap of configMaps) {
        expect(
          Object.keys(configMap.data).filter((key) => /PASSWORD|TOKEN|SECRET|DATABASE_URL/.test(key)),
        ).toEqual([]);
      }
      if (overlay === 'prod') expect(ofKind(objects, 'Secret')).toEqual([]);
      else
        expect(ofKind(objects, 'Secret').map((s) => s.metadata?.name)).toEqual([
          expect.stringMatching(/^hookline-secrets-/),
        ]);
    });

    it('exposes each Deployment through a Service, protects it with a PodDisruptionBudget and scrapes it', () => {
      const monitor = only<
        KubernetesObject & {
          spec: {
            selector: { matchLabels: Record<string, string> };
            endpoints: Array<{ port: string; path: string }>;
          };
        }
      >(objects, 'ServiceMonitor', 'hookline');
      expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
      for (const deployment of deployments()) {
        const labels = deployment.spec.template.metadata.labels;
        const services = ofKind<
          KubernetesObject & { spec: { selector: Record<string, string>; ports: Array<{ name: string }> } }
        >(objects, 'Service').filter((service) => selects(service.spec.selector, labels));
        expect({ deployment: name(deployment), services: services.length }).toEqual({
          deployment: name(deployment),
          services: 1,
        });
        expect(services[0].spec.ports.map((port) => port.name)).toContain('http');
        expect(selects(monitor.spec.selector.matchLabels, services[0].metadata?.labels ?? {})).toBe(true);

        const budgets = ofKind<
          KubernetesObject & { spec: { selector: { matchLabels: Record<string, string> } } }
        >(objects, 'PodDisruptionBudget').filter((budget) =>
          selects(budget.spec.selector.matchLabels, labels),
        );
        expect({ deployment: name(deployment), budgets: budgets.length }).toEqual({
          deployment: name(deployment),
          budgets: 1,
        });
      }
    });

    it('autoscales the dispatcher, no further than the event topics have partitions', () => {
      const hpas = ofKind<
        KubernetesObject & {
          spec: { scaleTargetRef: { kind: string; name: string }; maxReplicas: number; minReplicas: number };
        }
      >(objects, 'HorizontalPodAutoscaler');
      expect(hpas.map((hpa) => hpa.spec.scaleTargetRef)).toEqual([
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hookline-dispatcher' },
      ]);
      // Both the HPA and a fixed count would fight over the replicas.
      expect(only<Workload>(objects, 'Deployment', 'hookline-dispatcher').spec.replicas).toBeUndefined();
      const eventPartitions = ofKind<
        KubernetesObject & { spec: { partitions: number }; metadata: { labels: Record<string, string> } }
      >(objects, 'KafkaTopic')
        .filter((topic) => topic.metadata.labels['hookline/topic-role'] === 'event')
        .map((topic) => topic.spec.partitions);
      expect(hpas[0].spec.maxReplicas).toBeLessThanOrEqual(Math.min(...eventPartitions));
      expect(hpas[0].spec.minReplicas).toBeLessThanOrEqual(hpas[0].spec.maxReplicas);
    });

    it('lets the dispatcher reach public addresses, Kafka, Postgres and DNS, and nothing cluster-internal', () => {
      type Peer = {
        ipBlock?: { cidr: string; except?: string[] };
        podSelector?: unknown;
        namespaceSelector?: unknown;
      };
      const policy = only<
        KubernetesObject & {
          spec: {
            podSelector: { matchLabels: Record<string, string> };
            policyTypes: string[];
            egress: Array<{ to?: Peer[]; ports?: unknown[] }>;
          };
        }
      >(objects, 'NetworkPolicy', 'hookline-dispatcher');
      const dispatcher = only<Workload>(objects, 'Deployment', 'hookline-dispatcher');
      expect(selects(policy.spec.podSelector.matchLabels, dispatcher.spec.template.metadata.labels)).toBe(
        true,
      );
      expect(policy.spec.policyTypes).toContain('Egress');
      // A rule without `to` would allow every destination.
      expect(policy.spec.egress.every((rule) => (rule.to ?? []).length > 0)).toBe(true);
      const blocks = policy.spec.egress
        .flatMap((rule) => rule.to ?? [])
        .flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []));
      const v4 = blocks.find((block) => block.cidr === '0.0.0.0/0');
      const v6 = blocks.find((block) => block.cidr === '::/0');
      expect(v4?.except).toEqual(
        expect.arrayContaining([
          '10.0.0.0/8',
          '172.16.0.0/12',
          '192.168.0.0/16',
          '169.254.0.0/16',
          '127.0.0.0/8',
          '100.64.0.0/10',
        ]),
      );
      expect(v6?.except).toEqual(
        expect.arrayContaining(['fc00::/7', 'fe80::/10', '::1/128', '::ffff:0:0/96']),
      );
      // Any other address range would be an exception to the exceptions.
      expect(blocks.map((block) => block.cidr).sort()).toEqual(['0.0.0.0/0', '::/0']);
    });

    it('migrates the database with a Job that reads DATABASE_URL from the Secret', () => {
      const job = only<
        KubernetesObject & { spec: { template: { spec: PodSpec & { restartPolicy: string } } } }
      >(objects, 'Job', 'hookline-migrate');
      const [container] = job.spec.template.spec.containers;
      expect(container.command).toEqual(['node', 'scripts/migrate.mjs', 'up']);
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
      expect(container.env).toContainEqual({
        name: 'DATABASE_URL',
        valueFrom: {
          secretKeyRef: { name: expect.stringMatching(/^hookline-secrets/), key: 'DATABASE_URL' },
        },
      });
    });

    it('declares every Kafka topic of the code as a KafkaTopic, with replicas the cluster can hold', () => {
      const topics = ofKind<
        KubernetesObject & { spec: { topicName: string; replicas: number; config: Record<string, string> } }
      >(objects, 'KafkaTopic');
      const declared = declareTopics({ retryDelaysMs: PRESETS.hookline.retry.delaysMs });
      expect(topics.map((topic) => topic.spec.topicName).sort()).toEqual(
        declared.map((topic) => topic.name).sort(),
      );
      const replicas = overlay === 'dev' ? 1 : 3;
      for (const topic of topics) {
        expect(topic.spec.replicas).toBe(replicas);
        expect(Number(topic.spec.config['min.insync.replicas'])).toBeLessThan(Math.max(2, replicas));
      }
    });

    it('ships the alert rules of deploy/prometheus unchanged as a PrometheusRule', () => {
      const rule = only<KubernetesObject & { spec: { groups: unknown } }>(
        objects,
        'PrometheusRule',
        'hookline',
      );
      const file = parse(readWorkspaceFile('deploy/prometheus/rules/hookline.rules.yml')) as {
        groups: unknown;
      };
      expect(rule.spec.groups).toEqual(file.groups);
    });
  });
});
