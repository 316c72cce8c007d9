import { ConfigResourceTypes, ConfigSource, type DescribeConfigResponse } from 'kafkajs';
import { describeEnsureTopicsReport, diffConfigs, ensureTopics, type TopicAdmin } from './ensure-topics';
import type { TopicSpec } from './topics';

interface FakeTopic {
  partitions: number;
  replicationFactor: number;
  overrides: Record<string, string>;
}

/**
 * An in-memory cluster with the admin semantics `ensureTopics` relies on, including the one that
 * matters most: alterConfigs replaces a topic's overrides as a whole.
 */
class FakeClusterAdmin implements TopicAdmin {
  readonly topics = new Map<string, FakeTopic>();
  readonly calls: string[] = [];
  private readonly brokerDefaults: Record<string, string> = {
    'retention.ms': '604800000',
    'cleanup.policy': 'delete',
  };

  async listTopics() {
    this.calls.push('listTopics');
    return [...this.topics.keys()];
  }

  async createTopics(options: Parameters<TopicAdmin['createTopics']>[0]) {
    this.calls.push('createTopics');
    let allNew = true;
    for (const topic of options.topics) {
      if (this.topics.has(topic.topic)) {
        allNew = false;
        continue;
      }
      this.topics.set(topic.topic, {
        partitions: topic.numPartitions ?? 1,
        replicationFactor: topic.replicationFactor ?? 1,
        overrides: Object.fromEntries((topic.configEntries ?? []).map((e) => [e.name, e.value])),
      });
    }
    return allNew;
  }

  async createPartitions(options: Parameters<TopicAdmin['createPartitions']>[0]) {
    this.calls.push('createPartitions');
    for (const { topic, count } of options.topicPartitions) {
      const existing = this.get(topic);
      if (count <= existing.partitions) throw new Error(`INVALID_PARTITIONS for ${topic}`);
      existing.partitions = count;
    }
    return true;
  }

  async fetchTopicMetadata(options?: { topics: string[] }) {
    this.calls.push('fetchTopicMetadata');
    return {
      topics: (options?.topics ?? [...this.topics.keys()]).map((name) => {
        const topic = this.get(name);
        return {
          name,
          partitions: Array.from({ length: topic.partitions }, (_, partitionId) => ({
            partitionErrorCode: 0,
            partitionId,
            leader: 1,
            replicas: Array.from({ length: topic.replicationFactor }, (_, i) => i + 1),
            isr: Array.from({ length: topic.replicationFactor }, (_, i) => i + 1),
            offlineReplicas: [],
          })),
        };
      }),
    };
  }

  async fetchTopicOffsets(topic: string) {
    this.calls.push('fetchTopicOffsets');
    return Array.from({ length: this.get(topic).partitions }, (_, partition) => ({
      partition,
      offset: '0',
      high: '0',
      low: '0',
    }));
  }

  async describeConfigs(
    options: Parameters<TopicAdmin['describeConfigs']>[0],
  ): Promise<DescribeConfigResponse> {
    this.calls.push('describeConfigs');
    return {
      throttleTime: 0,
      resources: options.resources.map((resource) => {
        const topic = this.get(resource.name);
        const merged = { ...this.brokerDefaults, ...topic.overrides };
        return {
          errorCode: 0,
          errorMessage: '',
          resourceName: resource.name,
          resourceType: ConfigResourceTypes.TOPIC,
          configEntries: Object.entries(merged).map(([configName, configValue]) => ({
            configName,
            configValue,
            isDefault: !(configName in topic.overrides),
            configSource:
              configName in topic.overrides ? ConfigSource.TOPIC_CONFIG : ConfigSource.DEFAULT_CONFIG,
            isSensitive: false,
            readOnly: false,
            configSynonyms: [],
          })),
        };
      }),
    };
  }

  async alterConfigs(options: Parameters<TopicAdmin['alterConfigs']>[0]) {
    this.calls.push('alterConfigs');
    for (const resource of options.resources) {
      this.get(resource.name).overrides = Object.fromEntries(
        resource.configEntries.map((e) => [e.name, e.value]),
      );
    }
    return {};
  }

  private get(name: string): FakeTopic {
    const topic = this.topics.get(name);
    if (!topic) throw new Error(`UNKNOWN_TOPIC_OR_PARTITION ${name}`);
    return topic;
  }
}

const spec = (name: string, overrides: Partial<TopicSpec> = {}): TopicSpec => ({
  name,
  partitions: 3,
  replicationFactor: 1,
  configs: { 'retention.ms': '3600000' },
  purpose: 'test',
  ...overrides,
});

describe('ensureTopics', () => {
  it('creates every missing topic with its partitions and configs', async () => {
    const admin = new FakeClusterAdmin();
    const report = await ensureTopics(admin, [spec('a'), spec('b', { partitions: 1, configs: {} })]);

    expect(report.changes).toEqual([
      { kind: 'created', topic: 'a', partitions: 3, replicationFactor: 1 },
      { kind: 'created', topic: 'b', partitions: 1, replicationFactor: 1 },
    ]);
    expect(report.unchanged).toEqual([]);
    expect(admin.topics.get('a')).toEqual({
      partitions: 3,
      replicationFactor: 1,
      overrides: { 'retention.ms': '3600000' },
    });
    expect(admin.topics.get('b')?.overrides).toEqual({});
  });

  it('changes nothing on a second run', async () => {
    const admin = new FakeClusterAdmin();
    const specs = [spec('a'), spec('b', { configs: { 'cleanup.policy': 'compact' } })];
    await ensureTopics(admin, specs);
    admin.calls.length = 0;

    const second = await ensureTopics(admin, specs);

    expect(second).toEqual({ changes: [], drift: [], unchanged: ['a', 'b'] });
    expect(admin.calls).not.toContain('createTopics');
    expect(admin.calls).not.toContain('createPartitions');
    expect(admin.calls).not.toContain('alterConfigs');
  });

  it('raises a partition count that is too low', async () => {
    const admin = new FakeClusterAdmin();
    await ensureTopics(admin, [spec('a', { partitions: 2 })]);

    const report = await ensureTopics(admin, [spec('a', { partitions: 5 })]);

    expect(report.changes).toEqual([{ kind: 'partitions-raised', topic: 'a', from: 2, to: 5 }]);
    expect(admin.topics.get('a')?.partitions).toBe(5);
  });

  it('reports but never lowers a partition count or touches the replication factor', async () => {
    const admin = new FakeClusterAdmin();
    admin.topics.set('a', { partitions: 8, replicationFactor: 3, overrides: { 'retention.ms': '3600000' } });

    const report = await ensureTopics(admin, [spec('a', { partitions: 3 })]);

    expect(report.changes).toEqual([]);
    expect(report.drift).toEqual([
      { kind: 'more-partitions-than-declared', topic: 'a', actual: 8, declared: 3 },
      { kind: 'replication-factor-differs', topic: 'a', actual: 3, declared: 1 },
    ]);
    expect(report.unchanged).toEqual(['a']);
    expect(admin.topics.get('a')).toMatchObject({ partitions: 8, replicationFactor: 3 });
    expect(admin.calls).not.toContain('createPartitions');
  });

  it('rewrites configs that differ, adds missing ones and clears undeclared overrides', async () => {
    const admin = new FakeClusterAdmin();
    admin.topics.set('a', {
      partitions: 3,
      replicationFactor: 1,
      overrides: { 'retention.ms': '1000', 'max.message.bytes': '2048' },
    });

    const report = await ensureTopics(admin, [
      spec('a', { configs: { 'retention.ms': '3600000', 'segment.ms': '60000' } }),
    ]);

    expect(report.changes).toEqual([
      {
        kind: 'configs-updated',
        topic: 'a',
        updated: [
          { name: 'retention.ms', from: '1000', to: '3600000' },
          { name: 'segment.ms', to: '60000' },
        ],
        cleared: [{ name: 'max.message.bytes', from: '2048' }],
      },
    ]);
    expect(admin.topics.get('a')?.overrides).toEqual({ 'retention.ms': '3600000', 'segment.ms': '60000' });
  });

  it('reconciles topics that another process created concurrently', async () => {
    const admin = new FakeClusterAdmin();
    const listTopics = admin.listTopics.bind(admin);
    // The race: the topic appears right after our listing, with a config that differs.
    admin.listTopics = async () => {
      const names = await listTopics();
      admin.topics.set('a', { partitions: 1, replicationFactor: 1, overrides: {} });
      return names;
    };

    const report = await ensureTopics(admin, [spec('a')]);

    expect(report.changes).toEqual([
      { kind: 'partitions-raised', topic: 'a', from: 1, to: 3 },
      {
        kind: 'configs-updated',
        topic: 'a',
        updated: [{ name: 'retention.ms', to: '3600000' }],
        cleared: [],
      },
    ]);
    expect(admin.topics.get('a')).toEqual({
      partitions: 3,
      replicationFactor: 1,
      overrides: { 'retention.ms': '3600000' },
    });
  });

  it('rejects a spec list that declares a topic twice', async () => {
    await expect(ensureTopics(new FakeClusterAdmin(), [spec('a'), spec('a')])).rejects.toThrow(
      'declared twice',
    );
  });

  it('does nothing for an empty list', async () => {
    const admin = new FakeClusterAdmin();
    expect(await ensureTopics(admin, [])).toEqual({ changes: [], drift: [], unchanged: [] });
    expect(admin.calls).toEqual([]);
  });
});

describe('diffConfigs', () => {
  it('is empty when the overrides equal the declaration', () => {
    expect(diffConfigs({ a: '1', b: '2' }, { b: '2', a: '1' })).toEqual({ updated: [], cleared: [] });
  });
});

describe('describeEnsureTopicsReport', () => {
  it('prints one line per change and drift', () => {
    const lines = describeEnsureTopicsReport({
      changes: [
        { kind: 'created', topic: 'a', partitions: 3, replicationFactor: 1 },
        { kind: 'partitions-raised', topic: 'b', from: 1, to: 3 },
        {
          kind: 'configs-updated',
          topic: 'c',
          updated: [{ name: 'retention.ms', to: '10' }],
          cleared: [{ name: 'segment.ms', from: '5' }],
        },
      ],
      drift: [{ kind: 'more-partitions-than-declared', topic: 'd', actual: 9, declared: 3 }],
      unchanged: ['e'],
    });
    expect(lines).toEqual([
      'created a (3 partitions, replication factor 1)',
      'raised partitions of b from 1 to 3',
      'updated configs of c: retention.ms: (default) -> 10, segment.ms: 5 -> (default)',
      'note: d has 9 partitions, more than the 3 declared (left as is)',
    ]);
  });
});
