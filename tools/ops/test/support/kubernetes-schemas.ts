import Ajv from 'ajv';
import { join } from 'node:path';
import ts from 'typescript';
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
  'monitoring.coreos.com/v1/PrometheusRule': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule',
    typeName: 'IPrometheusRule',
  },
};

/**
 * Strimzi's KafkaTopic (kafka.strimzi.io/v1beta2), transcribed from the operator's CRD
 * (043-Crd-kafkatopic.yaml): no model package exists for it. The CRD prunes unknown spec fields
 * silently, so they are refused here, where a typo would otherwise vanish.
 */
const KAFKA_TOPIC_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'kafka.strimzi.io/v1beta2' },
    kind: { const: 'KafkaTopic' },
    metadata: {
      type: 'object',
      required: ['name', 'labels'],
      properties: {
        name: {
          type: 'string',
          maxLength: 253,
          pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
        },
        // The topic operator only reconciles topics labelled with their cluster.
        labels: {
          type: 'object',
          required: ['strimzi.io/cluster'],
          additionalProperties: { type: 'string' },
        },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
        namespace: { type: 'string' },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        partitions: { type: 'integer', minimum: 1 },
        replicas: { type: 'integer', minimum: 1, maximum: 32767 },
        config: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
        topicName: { type: 'string', minLength: 1 },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validateKafkaTopic = ajv.compile(KAFKA_TOPIC_SCHEMA);

/** Names one object in messages. */
export function describe(object: KubernetesObject): string {
  return `${object.kind}/${object.metadata?.name ?? '<unnamed>'}`;
}

/**
 * Validates objects against the Kubernetes (and prometheus-operator, Strimzi) schemas: the JSON
 * schema of each kind (types, required fields, formats, enums) and, through the TypeScript models,
 * fields the API would refuse as unknown. Returns one message per problem; none means valid.
 */
export async function validateObjects(objects: readonly KubernetesObject[]): Promise<string[]> {
  const problems: string[] = [];
  const typed: Array<{ object: KubernetesObject; source: ModelSource }> = [];
  for (let object of objects) {
    const key = `${object.apiVersion}/${object.kind}`;
    if (key === 'kafka.strimzi.io/v1beta2/KafkaTopic') {
      if (!validateKafkaTopic(object)) {
        problems.push(`${describe(object)}: ${ajv.errorsText(validateKafkaTopic.errors)}`);
      }
      continue;
    }
    const source = MODELS[key];
    if (!source) {
      problems.push(`${describe(object)}: no schema for ${key}; add it to MODELS`);
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
