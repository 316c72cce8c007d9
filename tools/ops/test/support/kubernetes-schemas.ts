import Ajv, { type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/repo-root';

/** A Kubernetes object as read from YAML. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Where each kind's model comes from: a kubernetes-models module and the interface it declares. */
interface ModelSource {
  readonly module: string;
  readonly typeName: string;
}

const MODELS: Readonly<Record<string, ModelSource>> = {
  'v1/ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', typeName: 'IConfigMap' },
  'v1/Secret': { module: 'kubernetes-models/v1/Secret', typeName: 'ISecret' },
  'v1/Service': { module: 'kubernetes-models/v1/Service', typeName: 'IService' },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1/Deployment', typeName: 'IDeployment' },
  'batch/v1/Job': { module: 'kubernetes-models/batch/v1/Job', typeName: 'IJob' },
  'policy/v1/PodDisruptionBudget': {
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    typeName: 'IPodDisruptionBudget',
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    typeName: 'IHorizontalPodAutoscaler',
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    module: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
    typeName: 'INetworkPolicy',
  },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    typeName: 'IServiceMonitor',
  },
  'networking.k8s.io/v1/Ingress': {
    module: 'kubernetes-models/networking.k8s.io/v1/Ingress',
    typeName: 'IIngress',
  },
  'gateway.networking.k8s.io/v1/HTTPRoute': {
    module: '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute',
    typeName: 'IHTTPRoute',
  },
  'gateway.networking.k8s.io/v1/Gateway': {
    module: '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway',
    typeName: 'IGateway',
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule',
    typeName: 'IPrometheusRule',
  },
};

/**
 * Custom resources without a model package, checked against the CRD itself: the OpenAPI schema of
 * each version it serves, as vendored in test/schemas (see the README there for the source).
 */
const VENDORED_CRDS = ['strimzi/043-Crd-kafkatopic.yaml', 'strimzi/044-Crd-kafkauser.yaml'];

/**
 * ObjectMeta as the API server checks it for these kinds, plus the `strimzi.io/cluster` label: the
 * Strimzi operators reconcile only resources labelled with their cluster, so one without it is inert.
 */
const STRIMZI_METADATA = {
  type: 'object',
  required: ['name', 'labels'],
  additionalProperties: false,
  properties: {
    name: {
      type: 'string',
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    },
    namespace: { type: 'string' },
    labels: {
      type: 'object',
      required: ['strimzi.io/cluster'],
      additionalProperties: { type: 'string' },
    },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

interface CrdVersion {
  name: string;
  served: boolean;
  schema: { openAPIV3Schema: Record<string, unknown> };
}
interface Crd {
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

const ajv = new Ajv({ allErrors: true, strict: false });
const customResources = loadCustomResourceValidators();

/** `group/version/Kind` → validator, for every version each vendored CRD serves. */
function loadCustomResourceValidators(): Map<string, ValidateFunction> {
  const validators = new Map<string, ValidateFunction>();
  for (const file of VENDORED_CRDS) {
    const crd = parse(readFileSync(join(REPO_ROOT, 'tools/ops/test/schemas', file), 'utf8')) as Crd;
    const { group, names, versions } = crd.spec;
    for (const version of versions.filter((candidate) => candidate.served)) {
      const apiVersion = `${group}/${version.name}`;
      const schema = closed(version.schema.openAPIV3Schema) as { properties: Record<string, unknown> };
      schema.properties = {
        ...schema.properties,
        apiVersion: { const: apiVersion },
        kind: { const: names.kind },
        metadata: STRIMZI_METADATA,
      };
      validators.set(`${apiVersion}/${names.kind}`, ajv.compile(schema));
    }
  }
  return validators;
}

/**
 * The schema with unknown fields refused wherever the CRD does not preserve them: the API server
 * prunes them silently (or, with strict field validation, refuses them), so a typo would vanish.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as object).map(([name, sub]) => [name, closed(sub)]))
        : closed(value),
    ]),
  );
  if (
    copy.type === 'object' &&
    copy.properties !== undefined &&
    copy.additionalProperties === undefined &&
    copy['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    copy.additionalProperties = false;
  }
  return copy;
}

/** Names one object in messages. */
export function describe(object: KubernetesObject): string {
  return `${object.kind}/${object.metadata?.name ?? '<unnamed>'}`;
}

/**
 * Validates objects against the Kubernetes (and prometheus-operator, Gateway API, Strimzi) schemas: the JSON
 * schema of each kind (types, required fields, formats, enums) and, through the TypeScript models,
 * fields the API would refuse as unknown. Returns one message per problem; none means valid.
 */
export async function validateObjects(objects: readonly KubernetesObject[]): Promise<string[]> {
  const problems: string[] = [];
  const typed: Array<{ object: KubernetesObject; source: ModelSource }> = [];
  for (let object of objects) {
    const key = `${object.apiVersion}/${object.kind}`;
    const customResource = customResources.get(key);
    if (customResource) {
      if (!customResource(object)) {
        problems.push(`${describe(object)}: ${ajv.errorsText(customResource.errors)}`);
      }
      continue;
    }
    const source = MODELS[key];
    if (!source) {
      problems.push(
        `${describe(object)}: no schema for ${key} (served custom resources: ${[...customResources.keys()].join(', ')}); add it to MODELS`,
      );
      continue;
    }
    const className = source.typeName.slice(1);
    if (key === 'v1/Secret') object = withUnwrappedSecretData(object);
    const module = (await import(source.module)) as Record<
      string,
      new (data: unknown) => { validate(): void }
    >;
    try {
      new module[className](object).validate();
    } catch (error) {
      problems.push(`${describe(object)}: ${(error as Error).message}`);
    }
    typed.push({ object, source });
  }
  return [...problems, ...unknownFields(typed)];
}

/**
 * kustomize wraps long base64 values over several lines; the API server's decoder skips line breaks,
 * the `byte` format of the JSON schema does not.
 */
function withUnwrappedSecretData(secret: KubernetesObject): KubernetesObject {
  const data = secret.data as Record<string, string> | undefined;
  if (!data) return secret;
  return {
    ...secret,
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, value.replace(/\s+/g, '')])),
  };
}

/**
 * Type-checks every object as an object literal of its model's interface: TypeScript's excess
 * property check then names each field the Kubernetes API does not know (`readinesProbe`), which the
 * JSON schemas of kubernetes-models let through.
 */
function unknownFields(typed: ReadonlyArray<{ object: KubernetesObject; source: ModelSource }>): string[] {
  if (typed.length === 0) return [];
  const fileName = join(REPO_ROOT, 'tools', 'ops', '.manifests-under-test.mts');
  const imports = [...new Set(typed.map(({ source }) => source))]
    .map((source, i) => `import type { ${source.typeName} as T${i} } from '${source.module}';`)
    .join('\n');
  const aliases = [...new Set(typed.map(({ source }) => source))];
  const starts: number[] = [];
  let text = `${imports}\n`;
  typed.forEach(({ object, source }, i) => {
    starts.push(text.length);
    text += `export const m${i}: T${aliases.indexOf(source)} = ${JSON.stringify(object)};\n`;
  });

  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? text : readFile(name));
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.getSourceFile = (name, language, onError, shouldCreate) =>
    name === fileName
      ? ts.createSourceFile(name, text, language)
      : getSourceFile(name, language, onError, shouldCreate);

  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file?.fileName !== fileName || diagnostic.start === undefined) return message;
    let index = starts.length - 1;
    while (index > 0 && starts[index] > diagnostic.start) index -= 1;
    const object = typed[index].object;
    const near = text.slice(diagnostic.start, diagnostic.start + 40).split(':')[0];
    return `${describe(object)}: ${message} (at ${near})`;
  });
}
