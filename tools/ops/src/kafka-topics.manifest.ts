import { type DeclaredTopic, declareTopics, DEFAULT_PARTITIONS } from '@hookline/kafka';
import { type PresetName, PRESETS, retryTiers } from '@hookline/presets';

/**
 * Strimzi API versions a `KafkaTopic` can be written in: `v1`, the only one Strimzi 1.0 and later
 * serve (0.49 and later serve it too), and `v1beta2`, for clusters still on Strimzi 0.48 or older.
 */
export const STRIMZI_API_VERSIONS = ['kafka.strimzi.io/v1', 'kafka.strimzi.io/v1beta2'] as const;
/** One of `STRIMZI_API_VERSIONS`. */
export type StrimziApiVersion = (typeof STRIMZI_API_VERSIONS)[number];

/** A Strimzi `KafkaTopic`, the operator's form of one declared topic. */
export interface KafkaTopicResource {
  apiVersion: StrimziApiVersion;
  kind: 'KafkaTopic';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { topicName: string; partitions: number; replicas: number; config: Record<string, string> };
}

/** Which topics to render and for which cluster. */
export interface KafkaTopicsOptions {
  /** Preset whose retry schedule decides the retry-tier topics. */
  readonly preset: PresetName;
  /** Partitions of the high-volume topics. */
  readonly partitions: number;
  /** Partitions of each per-event-type topic. */
  readonly eventPartitions: number;
  /** Replicas per partition. */
  readonly replicationFactor: number;
  /** Name of the Strimzi `Kafka` resource the topics belong to. */
  readonly cluster: string;
  /** API version of the resources; `kafka.strimzi.io/v1` unless the cluster runs an old Strimzi. */
  readonly apiVersion: StrimziApiVersion;
}

/**
 * What `k8s/base/kafka-topics.yaml` holds: the default preset, the default partition count, and three
 * replicas as a production cluster has; the dev overlay patches the replicas down. The event topics
 * get as many partitions as the other high-volume topics rather than the single-dispatcher default
 * (`DEFAULT_EVENT_PARTITIONS`): the dispatcher's autoscaler may run that many dispatchers, and each
 * of them should take a share of a busy event type.
 */
export const BASE_TOPICS: KafkaTopicsOptions = {
  preset: 'hookline',
  partitions: DEFAULT_PARTITIONS,
  eventPartitions: DEFAULT_PARTITIONS,
  replicationFactor: 3,
  cluster: 'hookline',
  apiVersion: 'kafka.strimzi.io/v1',
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Returns the declared topics of `options` as Strimzi resources, in declaration order. */
export function kafkaTopicResources(options: KafkaTopicsOptions): KafkaTopicResource[] {
  const topics = declareTopics({
    retryDelaysMs: retryTiers(PRESETS[options.preset].retry),
    partitions: options.partitions,
    eventPartitions: options.eventPartitions,
    replicationFactor: options.replicationFactor,
  });
  const resources = topics.map((topic) => kafkaTopicResource(topic, options.cluster, options.apiVersion));
  const byName = new Map<string, string>();
  for (const { metadata, spec } of resources) {
    const other = byName.get(metadata.name);
    // Two topics differing only in characters a resource name cannot hold would overwrite each other.
    if (other !== undefined)
      throw new Error(`topics ${other} and ${spec.topicName} both map to ${metadata.name}`);
    byName.set(metadata.name, spec.topicName);
  }
  return resources;
}

/** One declared topic as a Strimzi resource; `topicName` is always explicit, so the name may differ. */
export function kafkaTopicResource(
  topic: DeclaredTopic,
  cluster: string,
  apiVersion: StrimziApiVersion = BASE_TOPICS.apiVersion,
): KafkaTopicResource {
  return {
    apiVersion,
    kind: 'KafkaTopic',
    metadata: {
      name: resourceName(topic.name),
      labels: { 'strimzi.io/cluster': cluster, 'hookline/topic-role': topic.role.kind },
      annotations: { 'hookline/purpose': topic.purpose },
    },
    spec: {
      topicName: topic.name,
      partitions: topic.partitions,
      replicas: topic.replicationFactor,
      config: { ...topic.configs },
    },
  };
}

/** A Kubernetes resource name for a topic: the topic name itself when it is a valid DNS subdomain. */
export function resourceName(topicName: string): string {
  const lower = topicName.toLowerCase();
  if (lower === topicName && DNS_SUBDOMAIN.test(lower) && lower.length <= 253) return lower;
  const cleaned = lower
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 253);
  if (!DNS_SUBDOMAIN.test(cleaned))
    throw new Error(`cannot derive a resource name from topic "${topicName}"`);
  return cleaned;
}
