import { declareTopics, type TopicRole } from '@hookline/kafka';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS, retryTiers } from '@hookline/presets';
import { type KubernetesObject, describe as name, validateObjects } from './support/kubernetes-schemas';
import { kubernetesObjects } from './support/manifests';
import {
  checkServiceConfig,
  knownConfigKeys,
  SERVICE_NAMES,
  type ServiceName,
} from './support/service-config';
import { kustomizeBuild } from './support/tools';
import {
  containerEnv,
  ofKind,
  only,
  withPlaceholderFiles,
  type Workload,
} from './support/kubernetes-objects';

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
