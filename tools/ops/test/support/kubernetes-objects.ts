// What the Kubernetes manifest tests share: the fields they read, typed loosely (the schemas are
// checked separately), and finding objects by kind and name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KubernetesObject, describe as name } from './kubernetes-schemas';

export interface Container {
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
export interface PodSpec {
  containers: Container[];
  volumes?: Array<{
    name: string;
    secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
  }>;
  securityContext?: Record<string, unknown> & { seccompProfile?: { type: string } };
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
}
export interface Workload extends KubernetesObject {
  spec: { replicas?: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

/** The objects of `kind`. */
export function ofKind<T extends KubernetesObject>(objects: readonly KubernetesObject[], kind: string): T[] {
  return objects.filter((object) => object.kind === kind) as T[];
}

/** The one object of `kind` named `objectName` (the test fails when there is not exactly one). */
export function only<T extends KubernetesObject>(
  objects: readonly KubernetesObject[],
  kind: string,
  objectName: string,
): T {
  const found = ofKind<T>(objects, kind).filter((object) => object.metadata?.name === objectName);
  expect(found.map(name)).toEqual([`${kind}/${objectName}`]);
  return found[0];
}

// Files the manifests mount from Secrets (certificates, keys) do not exist here: for the config check,
// placeholders of the right PEM kind stand in at paths of their own.
const placeholderDir = mkdtempSync(join(tmpdir(), 'hookline-k8s-files-'));
afterAll(() => rmSync(placeholderDir, { recursive: true, force: true }));

/** `env` with every `*_FILE` under /etc/hookline/ pointing to a placeholder PEM file instead. */
export function withPlaceholderFiles(env: Record<string, string>): Record<string, string> {
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
export function containerEnv(
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
