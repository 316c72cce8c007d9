import { declareTopics, type TopicRole } from '@hookline/kafka';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { BlockList, isIPv4 } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS, retryTiers } from '@hookline/presets';
import { parse } from 'yaml';
import { type KubernetesObject, describe as name, validateObjects } from './support/kubernetes-schemas';
import { kubernetesObjects, readWorkspaceFile, yamlFilesUnder } from './support/manifests';
import {
  checkServiceConfig,
  knownConfigKeys,
  SERVICE_NAMES,
  SERVICES,
  type ServiceName,
} from './support/service-config';
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
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  containers: Container[];
  volumes?: Array<{
    name: string;
    secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
  }>;
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

interface PolicyPeer {
  ipBlock?: { cidr: string; except?: string[] };
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: unknown;
}
interface PolicyRule {
  to?: PolicyPeer[];
  ports?: Array<{ port?: number | string; protocol?: string }>;
}
interface PolicySpec {
  podSelector: { matchLabels: Record<string, string> };
  policyTypes: string[];
  egress: PolicyRule[];
}

function inCidr(cidr: string, address: string): boolean {
  const [network, prefix] = cidr.split('/');
  const family = isIPv4(network) ? 'ipv4' : 'ipv6';
  if (family !== (isIPv4(address) ? 'ipv4' : 'ipv6')) return false;
  const list = new BlockList();
  list.addSubnet(network, Number(prefix), family);
  return list.check(address, family);
}

/** Whether an egress rule lets traffic to `address` through by its address (an ipBlock peer). */
function reachesAddress(
  rules: readonly PolicyRule[],
  address: string,
  port: number,
  protocol: string,
): boolean {
  return rules.some((rule) => {
    const portAllowed =
      rule.ports === undefined ||
      rule.ports.some(
        (allowed) =>
          (allowed.port === undefined || allowed.port === port) && (allowed.protocol ?? 'TCP') === protocol,
      );
    return (
      portAllowed &&
      (rule.to ?? []).some(
        ({ ipBlock }) =>
          ipBlock !== undefined &&
          inCidr(ipBlock.cidr, address) &&
          !(ipBlock.except ?? []).some((except) => inCidr(except, address)),
      )
    );
  });
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text);
  if (!match) throw new Error(`unexpected duration ${text}`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 'ms']!;
}

// Files the manifests mount from Secrets (certificates, keys) do not exist here: for the config check,
// placeholders of the right PEM kind stand in at paths of their own.
const placeholderDir = mkdtempSync(join(tmpdir(), 'hookline-k8s-files-'));
afterAll(() => rmSync(placeholderDir, { recursive: true, force: true }));

/** `env` with every `*_FILE` under /etc/hookline/ pointing to a placeholder PEM file instead. */
function withPlaceholderFiles(env: Record<string, string>): Record<string, string> {
  const replaced = { ...env };
  for (const [key, path] of Object.entries(env)) {
    if (!key.endsWith('_FILE') || !path.startsWith('/etc/hookline/')) continue;
    const kind = key.endsWith('_KEY_FILE') ? 'PRIVATE KEY' : 'CERTIFICATE';
    const placeholder = join(placeholderDir, key);
    writeFileSync(placeholder, `-----BEGIN ${kind}-----\nMIIB\n-----END ${kind}-----\n`);
    replaced[key] = placeholder;
  }
  return replaced;
}

/**
 * The environment a container gets: its ConfigMaps and Secrets, then its own `env` on top. Secrets
 * not rendered come from `namedSecrets` by name, else from `outOfBandSecrets`.
 */
function containerEnv(
  objects: readonly KubernetesObject[],
  container: Container,
  outOfBandSecrets: Record<string, string>,
  namedSecrets: Record<string, Record<string, string>> = {},
): Record<string, string> {
  const secret = (secretName: string): Record<string, string> => {
    const found = ofKind<KubernetesObject & { data?: Record<string, string> }>(objects, 'Secret').find(
      (s) => s.metadata?.name === secretName,
    );
    if (!found) return namedSecrets[secretName] ?? outOfBandSecrets;
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
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: { name: 'Bad_Name', labels: {} },
      spec: { partitions: 0, replica: 3, config: { 'any.broker.setting': 'kept' } },
    };
    const user = {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaUser',
      metadata: { name: 'u', labels: { 'strimzi.io/cluster': 'c' } },
      spec: {
        authentication: { type: 'scram-sha-256' },
        authorization: {
          type: 'simple',
          acls: [{ resource: { type: 'topic', name: 't' }, operation: 'Read' }],
        },
      },
    };

    const route = (name: string, rule: object) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name },
      spec: { rules: [rule] },
    });

    const problems = (
      await validateObjects([
        deployment,
        topic,
        user,
        route('front', { matches: [{ path: { type: 'Regex', value: '/v1' } }] }),
        route('typo', { backendRef: [{ name: 'hookline-ingest', port: 3001 }] }),
      ])
    ).join('\n');

    expect(problems).toMatch(/Deployment\/broken: .*replicas must be integer/);
    expect(problems).toMatch(/Deployment\/broken: .*readinesProbe.* does not exist in type 'IContainer'/);
    expect(problems).toMatch(/KafkaTopic\/Bad_Name: .*strimzi\.io\/cluster/);
    expect(problems).toMatch(/KafkaTopic\/Bad_Name: .*partitions must be >= 1/);
    expect(problems).toMatch(/KafkaTopic\/Bad_Name: .*must NOT have additional properties/);
    expect(problems).not.toMatch(/any\.broker\.setting/);
    // Strimzi 1.x users authenticate with SCRAM-SHA-512 only, and ACLs list `operations`.
    expect(problems).toMatch(
      /KafkaUser\/u: .*authentication\/type must be equal to one of the allowed values/,
    );
    expect(problems).toMatch(/KafkaUser\/u: .*must have required property 'operations'/);
    expect(problems).toMatch(/HTTPRoute\/front: .*must be equal to one of the allowed values/);
    expect(problems).toMatch(/HTTPRoute\/typo: .*backendRef.* does not exist in type 'IHTTPRouteRule'/);
  });

  it('refuses the Strimzi API that Strimzi 1.0 removed (kafka.strimzi.io/v1beta2)', async () => {
    const topic = {
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaTopic',
      metadata: { name: 'old', labels: { 'strimzi.io/cluster': 'hookline' } },
      spec: { partitions: 1, replicas: 1 },
    };

    expect(await validateObjects([topic])).toEqual([
      expect.stringMatching(/^KafkaTopic\/old: no schema for kafka\.strimzi\.io\/v1beta2\/KafkaTopic/),
    ]);
    expect(await validateObjects([{ ...topic, apiVersion: 'kafka.strimzi.io/v1' }])).toEqual([]);
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
        expect({ service, config: checkServiceConfig(service, withPlaceholderFiles(env)) }).toEqual({
          service,
          config: { kind: 'valid' },
        });
      }
    });

    it('serves the gRPC admin API over TLS from the Secret hookline-grpc-tls, plaintext only where chosen', () => {
      const deployment = only<Workload>(objects, 'Deployment', 'hookline-subscription');
      const pod = deployment.spec.template.spec;
      const [container] = pod.containers;
      const env = containerEnv(objects, container, secrets, {
        'hookline-secret-keys': { HOOKLINE_SECRET_KEYS: 'k1:VWwhif5AHusp5blmDDJ3uuvbT1xjOhhbYhvlLcj2yvc=' },
      });
      if (overlay === 'prod') {
        for (const key of ['SUBSCRIPTION_GRPC_TLS_CERT_FILE', 'SUBSCRIPTION_GRPC_TLS_KEY_FILE']) {
          const mount = container.volumeMounts?.find((m) => env[key]?.startsWith(`${m.mountPath}/`));
          const volume = pod.volumes?.find((v) => v.name === mount?.name);
          expect({ key, secret: volume?.secret?.secretName }).toEqual({ key, secret: 'hookline-grpc-tls' });
        }
        expect(env.SUBSCRIPTION_GRPC_ALLOW_PLAINTEXT).toBeUndefined();
      } else {
        expect(env.SUBSCRIPTION_GRPC_ALLOW_PLAINTEXT).toBe('true');
      }
      // As the image runs it: in production posture, which refuses plaintext unless chosen.
      expect(
        checkServiceConfig('subscription', { ...withPlaceholderFiles(env), NODE_ENV: 'production' }),
      ).toEqual({
        kind: 'valid',
      });
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
        expect(
          ofKind(objects, 'Secret')
            .map((s) => s.metadata?.name)
            .sort(),
        ).toEqual([
          expect.stringMatching(/^hookline-secret-keys-/),
          expect.stringMatching(/^hookline-secrets-/),
        ]);
    });

    it('gives the keys sealing secrets at rest to the subscription service and the dispatcher only', () => {
      const holders = deployments()
        .filter((deployment) => {
          const [container] = deployment.spec.template.spec.containers;
          const fromKeys = (container.env ?? []).some((variable) =>
            variable.valueFrom?.secretKeyRef?.name.startsWith('hookline-secret-keys'),
          );
          const env = containerEnv(objects, container, secrets, {
            'hookline-secret-keys': { HOOKLINE_SECRET_KEYS: 'k1:placeholder' },
          });
          return fromKeys || 'HOOKLINE_SECRET_KEYS' in env || 'HOOKLINE_SECRET_KEYS_FILE' in env;
        })
        .map((deployment) => deployment.metadata?.name)
        .sort();
      expect(holders).toEqual(['hookline-dispatcher', 'hookline-subscription']);
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
      const policy = only<KubernetesObject & { spec: PolicySpec }>(
        objects,
        'NetworkPolicy',
        'hookline-dispatcher',
      );
      const dispatcher = only<Workload>(objects, 'Deployment', 'hookline-dispatcher');
      expect(selects(policy.spec.podSelector.matchLabels, dispatcher.spec.template.metadata.labels)).toBe(
        true,
      );
      expect(policy.spec.policyTypes).toContain('Egress');
      const { egress } = policy.spec;
      // A rule without `to` would allow every destination.
      expect(egress.every((rule) => (rule.to ?? []).length > 0)).toBe(true);
      const blocks = egress
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

      const reachable = (address: string, port: number, protocol = 'TCP') =>
        reachesAddress(egress, address, port, protocol);
      expect({
        publicV4: reachable('93.184.215.14', 443),
        publicV6: reachable('2606:2800:21f:cb07:6820:80da:af6b:8b2c', 443),
      }).toEqual({ publicV4: true, publicV6: true });
      const internal = [
        '10.96.0.10',
        '172.20.1.1',
        '192.168.1.1',
        '127.0.0.1',
        '100.64.0.10',
        '169.254.169.254',
        '0.0.0.0',
        'fd00::1',
        'fe80::1',
        '::1',
        '::ffff:10.0.0.1',
      ].flatMap((address) =>
        [
          [443, 'TCP'],
          [80, 'TCP'],
          [53, 'UDP'],
        ].flatMap(([port, protocol]) =>
          reachable(address, port as number, protocol as string) ? [`${address}:${port}/${protocol}`] : [],
        ),
      );
      expect(internal).toEqual([]);

      // NodeLocal DNSCache answers on the node's link-local address: DNS there, and nothing else.
      expect({
        udp: reachable('169.254.20.10', 53, 'UDP'),
        tcp: reachable('169.254.20.10', 53, 'TCP'),
        https: reachable('169.254.20.10', 443, 'TCP'),
      }).toEqual({ udp: true, tcp: true, https: false });
      const dnsPods = egress.filter((rule) =>
        (rule.to ?? []).some((peer) =>
          ['kube-dns', 'node-local-dns'].includes(peer.podSelector?.matchLabels?.['k8s-app'] ?? ''),
        ),
      );
      expect(dnsPods.length).toBeGreaterThan(0);
      for (const rule of dnsPods) {
        expect(new Set(rule.ports?.map((port) => `${port.port}/${port.protocol}`))).toEqual(
          new Set(['53/UDP', '53/TCP']),
        );
      }
      // Apart from the two catch-alls, an address range is only ever one host, for DNS.
      const narrow = egress.filter((rule) =>
        (rule.to ?? []).some((peer) => peer.ipBlock && !['0.0.0.0/0', '::/0'].includes(peer.ipBlock.cidr)),
      );
      for (const rule of narrow) {
        expect(rule.to?.map((peer) => peer.ipBlock?.cidr).filter(Boolean)).toEqual([
          expect.stringMatching(/\/(32|128)$/),
        ]);
        expect(rule.ports?.every((port) => port.port === 53)).toBe(true);
      }
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
      const declared = declareTopics({ retryDelaysMs: retryTiers(PRESETS.hookline.retry) });
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

interface KafkaUserAcl {
  resource: { type: string; name?: string; patternType?: 'literal' | 'prefix' };
  operations: string[];
  type?: 'allow' | 'deny';
}
interface KafkaUser extends KubernetesObject {
  spec: {
    authentication: { type: string };
    authorization: { type: string; acls: KafkaUserAcl[] };
  };
}

/** Whether the user's simple-authorizer ACLs allow `operation` on a resource (no deny rules are used). */
function aclAllows(user: KafkaUser, type: string, name: string, operation: string): boolean {
  return user.spec.authorization.acls.some(
    (acl) =>
      (acl.type ?? 'allow') === 'allow' &&
      acl.resource.type === type &&
      (type === 'cluster' ||
        ((acl.resource.patternType ?? 'literal') === 'prefix'
          ? name.startsWith(acl.resource.name ?? '')
          : name === acl.resource.name)) &&
      (acl.operations.includes(operation) || acl.operations.includes('All')),
  );
}

/** Which services read and write each kind of topic; none else may. */
const TOPIC_ACCESS: Record<TopicRole['kind'], { read: ServiceName[]; write: ServiceName[] }> = {
  // Written by the domain services, which are not Hookline's to authorise.
  ingest: { read: ['ingest'], write: [] },
  'ingest-invalid': { read: [], write: ['ingest'] },
  event: { read: ['dispatcher'], write: ['ingest'] },
  'retry-tier': { read: ['retry-scheduler'], write: ['dispatcher'] },
  'delivery-tasks': { read: ['dispatcher'], write: ['subscription', 'retry-scheduler'] },
  'dead-letter': { read: [], write: ['dispatcher', 'retry-scheduler'] },
  // Holds every endpoint's signing secret.
  'subscription-changelog': { read: ['dispatcher'], write: ['subscription'] },
  operational: { read: [], write: ['dispatcher'] },
};

/** Consumer groups each service joins (the dispatcher's changelog view adds an id per instance). */
const CONSUMER_GROUPS: Record<ServiceName, string[]> = {
  ingest: ['hookline-ingest'],
  subscription: [],
  dispatcher: ['hookline-dispatcher', 'hookline-dispatcher-view-3f1c9a52-0d7e-4c4b-9f55-1b2e8d6a7c10'],
  'retry-scheduler': ['hookline-retry-scheduler'],
};

describe('the Strimzi example: TLS, SCRAM-SHA-512 and a KafkaUser per service', () => {
  const objects = kubernetesObjects(kustomizeBuild('k8s/examples/strimzi-tls-scram'), 'strimzi-tls-scram');
  const users = () => ofKind<KafkaUser>(objects, 'KafkaUser');
  const userOf = (service: ServiceName) => only<KafkaUser>(objects, 'KafkaUser', `hookline-${service}`);

  it('renders, and every object validates (the KafkaUsers against the Strimzi 1.x CRD)', async () => {
    expect(await validateObjects(objects)).toEqual([]);
    expect(users().map(name).sort()).toEqual(
      SERVICE_NAMES.map((service) => `KafkaUser/hookline-${service}`).sort(),
    );
    for (const user of users()) {
      expect({ user: name(user), cluster: user.metadata?.labels?.['strimzi.io/cluster'] }).toEqual({
        user: name(user),
        cluster: 'hookline',
      });
      expect(user.spec.authentication.type).toBe('scram-sha-512');
    }
  });

  it("logs each service in as its own user, with that user's password and the cluster CA", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-kafka-ca-'));
    try {
      const caFile = join(dir, 'ca.crt');
      writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      for (const service of SERVICE_NAMES) {
        const deployment = only<Workload>(objects, 'Deployment', `hookline-${service}`);
        const pod = deployment.spec.template.spec;
        const [container] = pod.containers;
        const user = userOf(service);
        const password = container.env?.find((variable) => variable.name === 'KAFKA_SASL_PASSWORD');
        expect({ service, secret: password?.valueFrom?.secretKeyRef }).toEqual({
          service,
          secret: { name: user.metadata?.name, key: 'password' },
        });
        const env = containerEnv(
          objects,
          container,
          { DATABASE_URL: 'postgres://hookline:placeholder@postgres.example:5432/hookline' },
          { [user.metadata!.name!]: { password: 'placeholder' } },
        );
        expect({ service, username: env.KAFKA_SASL_USERNAME, ssl: env.KAFKA_SSL }).toEqual({
          service,
          username: user.metadata?.name,
          ssl: 'true',
        });
        // The CA file lies in a volume holding Strimzi's cluster CA certificate.
        const mount = container.volumeMounts?.find((m) =>
          env.KAFKA_SSL_CA_FILE.startsWith(`${m.mountPath}/`),
        );
        const volume = pod.volumes?.find((v) => v.name === mount?.name);
        expect({ service, secret: volume?.secret?.secretName, items: volume?.secret?.items }).toEqual({
          service,
          secret: 'hookline-cluster-ca-cert',
          items: [{ key: 'ca.crt', path: env.KAFKA_SSL_CA_FILE.slice(mount!.mountPath.length + 1) }],
        });
        const known = knownConfigKeys();
        expect({ service, unknown: Object.keys(env).filter((key) => !known.has(key)) }).toEqual({
          service,
          unknown: [],
        });
        expect({
          service,
          config: checkServiceConfig(service, withPlaceholderFiles({ ...env, KAFKA_SSL_CA_FILE: caFile })),
        }).toEqual({ service, config: { kind: 'valid' } });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets each service read and write exactly its topics: the changelog only subscription → dispatcher', () => {
    const topics = declareTopics({ retryDelaysMs: retryTiers(PRESETS.hookline.retry) });
    const granted: string[] = [];
    const expected: string[] = [];
    for (const topic of topics) {
      for (const service of SERVICE_NAMES) {
        for (const [operation, allowed] of [
          ['Read', TOPIC_ACCESS[topic.role.kind].read],
          ['Write', TOPIC_ACCESS[topic.role.kind].write],
        ] as const) {
          const entry = `${service} ${operation} ${topic.name}`;
          if (aclAllows(userOf(service), 'topic', topic.name, operation)) granted.push(entry);
          if (allowed.includes(service)) expected.push(entry);
        }
      }
    }
    expect(granted.sort()).toEqual(expected.sort());
    expect(aclAllows(userOf('ingest'), 'topic', 'hookline.subscriptions.changelog', 'Read')).toBe(false);

    for (const service of SERVICE_NAMES) {
      const groups = SERVICE_NAMES.flatMap((other) =>
        CONSUMER_GROUPS[other].map((group) => ({
          group,
          own: other === service,
          allowed: aclAllows(userOf(service), 'group', group, 'Read'),
        })),
      );
      expect({ service, groups: groups.filter((group) => group.own !== group.allowed) }).toEqual({
        service,
        groups: [],
      });
      // Every producer is idempotent.
      expect(aclAllows(userOf(service), 'cluster', 'kafka-cluster', 'IdempotentWrite')).toBe(true);
    }
  });
});

interface HttpRouteMatch {
  path?: { type: 'Exact' | 'PathPrefix'; value: string };
  method?: string;
}
interface HttpRoute extends KubernetesObject {
  spec: {
    parentRefs: Array<{ name: string; sectionName?: string }>;
    hostnames: string[];
    rules: Array<{ matches: HttpRouteMatch[]; backendRefs: Array<{ name: string; port: number }> }>;
  };
}
interface Gateway extends KubernetesObject {
  spec: {
    listeners: Array<{
      name: string;
      protocol: string;
      port: number;
      hostname?: string;
      tls?: { mode?: string; certificateRefs?: Array<{ kind?: string; name: string }> };
    }>;
  };
}
interface Ingress extends KubernetesObject {
  spec: {
    tls: Array<{ hosts: string[]; secretName: string }>;
    rules: Array<{
      host: string;
      http: {
        paths: Array<{
          path: string;
          pathType: 'Exact' | 'Prefix';
          backend: { service: { name: string; port: { name?: string; number?: number } } };
        }>;
      };
    }>;
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the local tooling is plain CommonJS
const frontDoor = require(join(__dirname, '..', '..', 'infra', 'front-door.cjs')) as {
  route(method: string, url: string): string | undefined;
};

/** Whether `prefix` matches `path` element by element, as both APIs define prefix matching. */
function underPrefix(prefix: string, path: string): boolean {
  const trimmed = prefix.replace(/\/$/, '');
  return trimmed === '' || path === trimmed || path.startsWith(`${trimmed}/`);
}

/** The Service an HTTPRoute sends a request to: an exact path beats a prefix, a longer prefix a shorter one, a method match none. */
function httpRouteBackend(route: HttpRoute, method: string, path: string): string | undefined {
  const candidates = route.spec.rules.flatMap((rule) =>
    rule.matches
      .filter((match) => {
        const { type = 'PathPrefix', value = '/' } = match.path ?? {};
        const pathMatches = type === 'Exact' ? path === value : underPrefix(value, path);
        return pathMatches && (match.method === undefined || match.method === method);
      })
      .map((match) => ({
        backend: rule.backendRefs[0].name,
        rank: [match.path?.type === 'Exact' ? 1 : 0, match.path?.value.length ?? 0, match.method ? 1 : 0],
      })),
  );
  candidates.sort((a, b) => b.rank[0] - a.rank[0] || b.rank[1] - a.rank[1] || b.rank[2] - a.rank[2]);
  return candidates[0]?.backend;
}

/** The Service an Ingress sends a request to: an exact path first, then the longest prefix. */
function ingressBackend(ingress: Ingress, path: string): string | undefined {
  const paths = ingress.spec.rules.flatMap((rule) => rule.http.paths);
  const exact = paths.find((p) => p.pathType === 'Exact' && p.path === path);
  if (exact) return exact.backend.service.name;
  const prefixes = paths
    .filter((p) => p.pathType === 'Prefix' && underPrefix(p.path, path))
    .sort((a, b) => b.path.length - a.path.length);
  return prefixes[0]?.backend.service.name;
}

const REQUESTS: Array<[string, string]> = [
  ['POST', '/v1/events'],
  ['GET', '/v1/events'],
  ['GET', '/v1/events/evt_1'],
  ['POST', '/v1/webhooks'],
  ['GET', '/v1/deliveries/dlv_1'],
  ['POST', '/v1/admin/tenants'],
  ['GET', '/docs'],
  ['GET', '/metrics'],
  ['GET', '/healthz'],
  ['GET', '/v1x'],
];
const serviceOf = (name: string | undefined) => name?.replace(/^hookline-/, '');

describe('one front door', () => {
  const gateway = kubernetesObjects(kustomizeBuild('k8s/examples/front-door-gateway'), 'front-door-gateway');
  const ingress = kubernetesObjects(kustomizeBuild('k8s/examples/front-door-ingress'), 'front-door-ingress');

  it.each([
    ['gateway-api', gateway],
    ['ingress', ingress],
  ])('%s: the production overlay with it renders, and every object validates', async (_, objects) => {
    expect(await validateObjects(objects)).toEqual([]);
    expect(new Set(objects.map((o) => o.metadata?.namespace))).toEqual(new Set(['hookline']));
  });

  it('serves one host over TLS through the Gateway API, routing as `npm start` does', () => {
    const route = only<HttpRoute>(gateway, 'HTTPRoute', 'hookline');
    const [parent] = route.spec.parentRefs;
    const listener = only<Gateway>(gateway, 'Gateway', parent.name).spec.listeners.find(
      (candidate) => candidate.name === parent.sectionName,
    );
    expect(listener).toMatchObject({
      protocol: 'HTTPS',
      port: 443,
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: expect.any(String) }] },
    });
    expect(route.spec.hostnames).toEqual([listener?.hostname]);

    const routed = REQUESTS.map(([method, path]) => [
      method,
      path,
      serviceOf(httpRouteBackend(route, method, path)),
    ]);
    const local = REQUESTS.map(([method, path]) => [method, path, frontDoor.route(method, path)]);
    expect(routed).toEqual(local);
    expect(routed.filter(([, , service]) => service === 'ingest')).toEqual([
      ['POST', '/v1/events', 'ingest'],
    ]);

    // Every backend is a Service of the overlay, on the port it serves.
    for (const rule of route.spec.rules) {
      for (const ref of rule.backendRefs) {
        const service = only<KubernetesObject & { spec: { ports: Array<{ port: number }> } }>(
          gateway,
          'Service',
          ref.name,
        );
        expect(service.spec.ports.map((port) => port.port)).toContain(ref.port);
      }
    }
  });

  it('serves the same host over TLS through an Ingress, ingest forwarding the event log it cannot tell from intake', () => {
    const front = only<Ingress>(ingress, 'Ingress', 'hookline');
    expect(front.spec.tls).toEqual([
      { hosts: front.spec.rules.map((rule) => rule.host), secretName: expect.any(String) },
    ]);
    const routed = REQUESTS.map(([method, path]) => [method, path, serviceOf(ingressBackend(front, path))]);
    const local = REQUESTS.map(([method, path]) => [method, path, frontDoor.route(method, path)]);
    // Without method matching, `GET /v1/events` goes where intake goes; everything else agrees.
    const differences = routed.filter((entry, i) => entry[2] !== local[i][2]);
    expect(differences).toEqual([['GET', '/v1/events', 'ingest']]);
    // ...which ingest forwards to the subscription Service, on the port it serves.
    const ingest = only<Workload>(ingress, 'Deployment', 'hookline-ingest');
    const upstream = ingest.spec.template.spec.containers[0].env?.find(
      (variable) => variable.name === 'INGEST_EVENT_LOG_UPSTREAM',
    )?.value;
    const target = new URL(upstream ?? 'http://unset');
    const subscription = only<KubernetesObject & { spec: { ports: Array<{ port: number }> } }>(
      ingress,
      'Service',
      target.hostname,
    );
    expect(subscription.spec.ports.map((port) => String(port.port))).toContain(target.port);
    for (const path of front.spec.rules.flatMap((rule) => rule.http.paths)) {
      const service = only<KubernetesObject & { spec: { ports: Array<{ name: string }> } }>(
        ingress,
        'Service',
        path.backend.service.name,
      );
      expect(service.spec.ports.map((port) => port.name)).toContain(path.backend.service.port.name);
    }
  });
});
