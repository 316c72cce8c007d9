import { declareTopics } from '@hookline/kafka';
import { PRESETS, retryTiers } from '@hookline/presets';
import { BASE_TOPICS, kafkaTopicResources, resourceName } from './kafka-topics.manifest';

describe('kafkaTopicResources', () => {
  it('renders exactly the declared topics, with their partitions, replicas and configs', () => {
    const options = {
      preset: 'appmint',
      partitions: 4,
      eventPartitions: 8,
      replicationFactor: 3,
      cluster: 'events',
      apiVersion: 'kafka.strimzi.io/v1',
    } as const;
    const declared = declareTopics({
      retryDelaysMs: retryTiers(PRESETS.appmint.retry),
      partitions: 4,
      eventPartitions: 8,
      replicationFactor: 3,
    });

    const resources = kafkaTopicResources(options);

    expect(resources.map((r) => r.spec)).toEqual(
      declared.map((t) => ({
        topicName: t.name,
        partitions: t.partitions,
        replicas: t.replicationFactor,
        config: t.configs,
      })),
    );
    for (const resource of resources) {
      expect(resource.apiVersion).toBe('kafka.strimzi.io/v1');
      expect(resource.metadata.labels['strimzi.io/cluster']).toBe('events');
      expect(resource.metadata.name).toBe(resourceName(resource.spec.topicName));
    }
    expect(new Set(resources.map((r) => r.metadata.name)).size).toBe(resources.length);
  });

  it("follows the preset's retry schedule: one tier topic per distinct delay", () => {
    const tiers = (preset: 'hookline' | 'hackmamba') =>
      kafkaTopicResources({ ...BASE_TOPICS, preset })
        .filter((r) => r.metadata.labels['hookline/topic-role'] === 'retry-tier')
        .map((r) => r.spec.topicName);

    expect(tiers('hackmamba')).toEqual([
      'hookline.retry.30s',
      'hookline.retry.1m',
      'hookline.retry.5m',
      'hookline.retry.15m',
    ]);
    expect(tiers('hookline')).toHaveLength(retryTiers(PRESETS.hookline.retry).length);
  });
});

describe('resourceName', () => {
  it('keeps a topic name that is already a valid resource name', () => {
    expect(resourceName('hookline.deliveries.dead-letter')).toBe('hookline.deliveries.dead-letter');
  });

  it('derives a valid name from one that is not', () => {
    expect(resourceName('hookline.events.api.rate_limit_exceeded')).toBe(
      'hookline.events.api.rate-limit-exceeded',
    );
    expect(resourceName('Hookline_Events.User')).toBe('hookline-events.user');
    expect(resourceName('_x_')).toBe('x');
  });
});

describe('the Strimzi API version', () => {
  it('is kafka.strimzi.io/v1 by default, the only one Strimzi 1.x serves', () => {
    expect(new Set(kafkaTopicResources(BASE_TOPICS).map((r) => r.apiVersion))).toEqual(
      new Set(['kafka.strimzi.io/v1']),
    );
  });

  it('is v1beta2 only when asked for, with the same spec', () => {
    const old = kafkaTopicResources({ ...BASE_TOPICS, apiVersion: 'kafka.strimzi.io/v1beta2' });
    expect(new Set(old.map((r) => r.apiVersion))).toEqual(new Set(['kafka.strimzi.io/v1beta2']));
    expect(old.map((r) => r.spec)).toEqual(kafkaTopicResources(BASE_TOPICS).map((r) => r.spec));
  });
});

describe('kafkaTopicResource names', () => {
  it('are unique for the base topics', () => {
    const names = kafkaTopicResources(BASE_TOPICS).map((r) => r.metadata.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
