import {
  catalogue,
  DEAD_LETTER_TOPIC,
  DELIVERY_TASKS_TOPIC,
  INGEST_INVALID_TOPIC,
  INGEST_TOPIC,
  OPERATIONAL_EVENTS_TOPIC,
  SUBSCRIPTION_CHANGELOG_TOPIC,
} from '@hookline/events';
import { DEFAULT_EVENT_PARTITIONS, DEFAULT_PARTITIONS, declareTopics, REPLAY_RETENTION_MS } from './topics';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('declareTopics', () => {
  const appmintDelays = [0, MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, 24 * HOUR];

  it('declares ingest, every catalogue type, each retry tier, dead letters, the changelog and operational events', () => {
    const names = declareTopics({ retryDelaysMs: appmintDelays }).map((spec) => spec.name);

    expect(names).toEqual([
      INGEST_TOPIC,
      INGEST_INVALID_TOPIC,
      ...catalogue.map((definition) => definition.topic),
      'hookline.retry.0s',
      'hookline.retry.1m',
      'hookline.retry.5m',
      'hookline.retry.15m',
      'hookline.retry.1h',
      'hookline.retry.6h',
      'hookline.retry.24h',
      DELIVERY_TASKS_TOPIC,
      DEAD_LETTER_TOPIC,
      SUBSCRIPTION_CHANGELOG_TOPIC,
      OPERATIONAL_EVENTS_TOPIC,
    ]);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('hookline.events.user.created');
  });

  it('declares one tier per distinct delay, shortest first', () => {
    const tiers = declareTopics({ retryDelaysMs: [5 * MINUTE, MINUTE, 5 * MINUTE] }).filter(
      (spec) => spec.role.kind === 'retry-tier',
    );
    expect(tiers.map((spec) => [spec.name, spec.role])).toEqual([
      ['hookline.retry.1m', { kind: 'retry-tier', delayMs: MINUTE }],
      ['hookline.retry.5m', { kind: 'retry-tier', delayMs: 5 * MINUTE }],
    ]);
  });

  it('keeps a retry-tier message well past its delay', () => {
    const [tier] = declareTopics({ retryDelaysMs: [24 * HOUR] }).filter(
      (spec) => spec.role.kind === 'retry-tier',
    );
    expect(Number(tier.configs['retention.ms'])).toBe(24 * HOUR + REPLAY_RETENTION_MS);
  });

  it('compacts the subscription changelog on a fixed single partition', () => {
    const changelog = declareTopics({ retryDelaysMs: [], partitions: 12 }).find(
      (spec) => spec.name === SUBSCRIPTION_CHANGELOG_TOPIC,
    );
    expect(changelog?.partitions).toBe(1);
    expect(changelog?.configs['cleanup.policy']).toBe('compact');
    expect(changelog?.configs['retention.ms']).toBeUndefined();
  });

  it('keeps dead letters longer than replayable events', () => {
    const specs = declareTopics({ retryDelaysMs: [] });
    const retention = (name: string) =>
      Number(specs.find((spec) => spec.name === name)?.configs['retention.ms']);
    expect(retention(DEAD_LETTER_TOPIC)).toBeGreaterThan(retention(INGEST_TOPIC));
  });

  it('applies partitions and replication factor, and requires two in-sync replicas from three up', () => {
    const single = declareTopics({ retryDelaysMs: [MINUTE], partitions: 4 });
    expect(single.find((spec) => spec.name === INGEST_TOPIC)).toMatchObject({
      partitions: 4,
      replicationFactor: 1,
    });
    expect(single.every((spec) => spec.configs['min.insync.replicas'] === '1')).toBe(true);

    const replicated = declareTopics({ retryDelaysMs: [MINUTE], replicationFactor: 3 });
    expect(replicated.every((spec) => spec.replicationFactor === 3)).toBe(true);
    expect(replicated.every((spec) => spec.configs['min.insync.replicas'] === '2')).toBe(true);
  });

  it('sizes the per-event-type topics on their own', () => {
    const eventTopics = (specs: ReturnType<typeof declareTopics>) =>
      specs.filter((spec) => spec.role.kind === 'event');
    const defaults = declareTopics({ retryDelaysMs: [MINUTE] });
    expect(eventTopics(defaults).length).toBeGreaterThan(1);
    expect(eventTopics(defaults).every((spec) => spec.partitions === DEFAULT_EVENT_PARTITIONS)).toBe(true);
    expect(defaults.find((spec) => spec.name === INGEST_TOPIC)?.partitions).toBe(DEFAULT_PARTITIONS);

    const sized = declareTopics({ retryDelaysMs: [MINUTE], partitions: 4, eventPartitions: 12 });
    expect(eventTopics(sized).every((spec) => spec.partitions === 12)).toBe(true);
    expect(sized.find((spec) => spec.name === DELIVERY_TASKS_TOPIC)?.partitions).toBe(4);
  });

  it('rejects nonsensical sizes', () => {
    expect(() => declareTopics({ retryDelaysMs: [], partitions: 0 })).toThrow(RangeError);
    expect(() => declareTopics({ retryDelaysMs: [], eventPartitions: 0 })).toThrow(RangeError);
    expect(() => declareTopics({ retryDelaysMs: [], replicationFactor: 1.5 })).toThrow(RangeError);
  });
});
