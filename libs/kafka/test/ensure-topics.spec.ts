import { type Admin, ConfigResourceTypes, ConfigSource, type Kafka } from 'kafkajs';
import { declareTopics, ensureTopics, type TopicSpec } from '../src';
import { brokerKafka, deleteTopics, uniquePrefix } from './broker.support';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('ensureTopics against the real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  const created: string[] = [];

  beforeAll(async () => {
    kafka = brokerKafka('ensure-topics-spec');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.disconnect();
    await deleteTopics(kafka, created);
  });

  const track = <T extends TopicSpec>(specs: T[]): T[] => {
    created.push(...specs.map((spec) => spec.name));
    return specs;
  };

  async function topicOverrides(name: string): Promise<Record<string, string>> {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name }],
    });
    return Object.fromEntries(
      resources[0].configEntries
        .filter((entry) => entry.configSource === ConfigSource.TOPIC_CONFIG)
        .map((entry) => [entry.configName, entry.configValue]),
    );
  }

  async function partitionCount(name: string): Promise<number> {
    const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
    return topics[0].partitions.length;
  }

  it('creates, then changes nothing, then applies exactly what the declaration changed', async () => {
    const prefix = uniquePrefix('ensure');
    const events: TopicSpec = {
      name: `${prefix}events`,
      partitions: 2,
      replicationFactor: 1,
      configs: { 'retention.ms': String(HOUR), 'cleanup.policy': 'delete' },
      purpose: 'test',
    };
    const changelog: TopicSpec = {
      name: `${prefix}changelog`,
      partitions: 1,
      replicationFactor: 1,
      configs: { 'cleanup.policy': 'compact', 'segment.ms': String(HOUR) },
      purpose: 'test',
    };
    track([events, changelog]);

    const first = await ensureTopics(admin, [events, changelog]);
    expect(first.changes.map((change) => [change.kind, change.topic])).toEqual([
      ['created', events.name],
      ['created', changelog.name],
    ]);
    expect(await partitionCount(events.name)).toBe(2);
    expect(await topicOverrides(changelog.name)).toEqual({
      'cleanup.policy': 'compact',
      'segment.ms': String(HOUR),
    });

    const second = await ensureTopics(admin, [events, changelog]);
    expect(second).toEqual({ changes: [], drift: [], unchanged: [events.name, changelog.name] });

    const grown = {
      ...events,
      partitions: 4,
      configs: { ...events.configs, 'retention.ms': String(2 * HOUR) },
    };
    const third = await ensureTopics(admin, [grown, changelog]);
    expect(third.changes).toEqual([
      { kind: 'partitions-raised', topic: events.name, from: 2, to: 4 },
      {
        kind: 'configs-updated',
        topic: events.name,
        updated: [{ name: 'retention.ms', from: String(HOUR), to: String(2 * HOUR) }],
        cleared: [],
      },
    ]);
    expect(third.unchanged).toEqual([changelog.name]);
    expect(await partitionCount(events.name)).toBe(4);
    expect(await topicOverrides(events.name)).toEqual({
      'retention.ms': String(2 * HOUR),
      'cleanup.policy': 'delete',
    });

    const fourth = await ensureTopics(admin, [grown, changelog]);
    expect(fourth.changes).toEqual([]);

    // Shrinking the declaration never shrinks the topic; it is reported instead.
    const fifth = await ensureTopics(admin, [events, changelog]);
    expect(fifth.changes).toEqual([
      {
        kind: 'configs-updated',
        topic: events.name,
        updated: [{ name: 'retention.ms', from: String(2 * HOUR), to: String(HOUR) }],
        cleared: [],
      },
    ]);
    expect(fifth.drift).toEqual([
      { kind: 'more-partitions-than-declared', topic: events.name, actual: 4, declared: 2 },
    ]);
    expect(await partitionCount(events.name)).toBe(4);
  });

  it('clears an override that was set by hand and is not declared', async () => {
    const [spec] = track([
      {
        name: `${uniquePrefix('ensure-manual')}topic`,
        partitions: 1,
        replicationFactor: 1,
        configs: { 'retention.ms': String(HOUR) },
        purpose: 'test',
      },
    ]);
    await ensureTopics(admin, [spec]);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configEntries: [
            { name: 'retention.ms', value: String(HOUR) },
            { name: 'max.message.bytes', value: '65536' },
          ],
        },
      ],
    });
    // The broker applies an accepted change from its metadata log a moment later.
    const deadline = Date.now() + 20_000;
    while (!('max.message.bytes' in (await topicOverrides(spec.name))) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const report = await ensureTopics(admin, [spec]);

    expect(report.changes).toEqual([
      {
        kind: 'configs-updated',
        topic: spec.name,
        updated: [],
        cleared: [{ name: 'max.message.bytes', from: '65536' }],
      },
    ]);
    expect(await topicOverrides(spec.name)).toEqual({ 'retention.ms': String(HOUR) });
  });

  it('accepts every topic Hookline declares, with every config, and is idempotent for them', async () => {
    const prefix = uniquePrefix('declared');
    // Prefixed copies of the real declarations, so a shared broker's real topics are left alone.
    const specs = track(
      declareTopics({
        retryDelaysMs: [0, 5 * SECOND, MINUTE, 5 * MINUTE, 2 * HOUR, 24 * HOUR],
        partitions: 1,
      }).map((spec) => ({ ...spec, name: `${prefix}${spec.name}` })),
    );

    const first = await ensureTopics(admin, specs);
    expect(first.changes).toHaveLength(specs.length);
    expect(first.changes.every((change) => change.kind === 'created')).toBe(true);

    const second = await ensureTopics(admin, specs);
    expect(second.changes).toEqual([]);
    expect(second.drift).toEqual([]);
    expect(second.unchanged).toHaveLength(specs.length);

    const changelog = specs.find((spec) => spec.role.kind === 'subscription-changelog');
    expect(await topicOverrides(changelog?.name ?? '')).toMatchObject({ 'cleanup.policy': 'compact' });
  });
});
