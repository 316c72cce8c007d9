import { declareTopics } from '@hookline/kafka';
import { BlockList, isIPv4 } from 'node:net';
import { PRESETS, retryTiers } from '@hookline/presets';
import { parse } from 'yaml';
import { type KubernetesObject, describe as name, validateObjects } from './support/kubernetes-schemas';
import { kubernetesObjects, readWorkspaceFile, yamlFilesUnder } from './support/manifests';
import { checkServiceConfig, knownConfigKeys, SERVICE_NAMES, SERVICES } from './support/service-config';
import { kustomizeBuild } from './support/tools';
import {
  containerEnv,
  ofKind,
  only,
  type PodSpec,
  withPlaceholderFiles,
  type Workload,
} from './support/kubernetes-objects';

const OVERLAYS = ['dev', 'prod'] as const;
const rendered = Object.fromEntries(
  OVERLAYS.map((overlay) => [overlay, kubernetesObjects(kustomizeBuild(`k8s/overlays/${overlay}`), overlay)]),
) as Record<(typeof OVERLAYS)[number], KubernetesObject[]>;

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
