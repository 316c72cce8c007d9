/**
 * Every Kafka topic Hookline uses, declared in one place. `ensureTopics` makes a cluster match these
 * declarations; the broker never creates topics by itself (`auto.create.topics.enable=false`), so a
 * topic that is not declared here does not exist.
 */
import {
  catalogue,
  DEAD_LETTER_TOPIC,
  DELIVERY_TASKS_TOPIC,
  INGEST_INVALID_TOPIC,
  INGEST_TOPIC,
  OPERATIONAL_EVENTS_TOPIC,
  retryTierTopic,
  SUBSCRIPTION_CHANGELOG_TOPIC,
} from '@hookline/events';

/** What a topic is for; retry tiers also carry their delay. */
export type TopicRole =
  | { kind: 'ingest' }
  | { kind: 'ingest-invalid' }
  | { kind: 'event'; eventType: string }
  | { kind: 'retry-tier'; delayMs: number }
  | { kind: 'delivery-tasks' }
  | { kind: 'dead-letter' }
  | { kind: 'subscription-changelog' }
  | { kind: 'operational' };

/** A topic as it should exist on the cluster. */
export interface TopicSpec {
  name: string;
  /** Minimum partition count; `ensureTopics` raises lower counts, never lowers higher ones. */
  partitions: number;
  /** Replicas per partition; fixed at creation. */
  replicationFactor: number;
  /** Topic-level overrides; everything else follows the broker defaults. */
  configs: Record<string, string>;
  /** One line for operators listing the topics. */
  purpose: string;
}

/** A topic Hookline itself declares, tagged with what it is for. */
export interface DeclaredTopic extends TopicSpec {
  role: TopicRole;
}

/** Inputs of `declareTopics`. */
export interface DeclareTopicsOptions {
  /** Retry schedule of the active preset; one retry-tier topic per distinct delay. */
  retryDelaysMs: readonly number[];
  /** Partitions of the high-volume topics (ingest, retry tiers, delivery tasks, dead letters); 6 by default. */
  partitions?: number;
  /** Partitions of each per-event-type topic; `DEFAULT_EVENT_PARTITIONS` by default. */
  eventPartitions?: number;
  /** Replicas per partition; 1 for a single-broker cluster, 3 in production. */
  replicationFactor?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Partitions of the high-volume topics when not configured: enough parallelism for a few consumers. */
export const DEFAULT_PARTITIONS = 6;

/**
 * Partitions of each per-event-type topic when not configured. There are as many of these topics as
 * event types, and every dispatcher fetch lists every partition it owns: fewer, busier partitions
 * cost the broker and the dispatcher less per fetch and reach the dispatcher sooner. Raise it
 * (never lowered by `ensureTopics`) for the types whose volume needs more dispatchers than this.
 */
export const DEFAULT_EVENT_PARTITIONS = 2;

/**
 * Retention of the topics that can be replayed (ingest and per-type events): a week covers a
 * weekend-long outage of a downstream consumer with time left to investigate and replay.
 */
export const REPLAY_RETENTION_MS = 7 * DAY_MS;

/** Dead letters wait for a person; a month leaves room for holidays and slow investigations. */
export const DEAD_LETTER_RETENTION_MS = 30 * DAY_MS;

/** Invalid ingest events are kept twice as long as valid ones: they are read only when debugging a producer. */
export const INGEST_INVALID_RETENTION_MS = 14 * DAY_MS;

/**
 * A retry-tier message must outlive its own delay plus a long scheduler outage, or a retry would be
 * lost while it waits.
 */
export function retryTierRetentionMs(delayMs: number): number {
  return delayMs + REPLAY_RETENTION_MS;
}

/** Returns the spec of every topic Hookline needs, for one retry schedule and cluster size. */
export function declareTopics(options: DeclareTopicsOptions): DeclaredTopic[] {
  const partitions = options.partitions ?? DEFAULT_PARTITIONS;
  const eventPartitions = options.eventPartitions ?? DEFAULT_EVENT_PARTITIONS;
  const replicationFactor = options.replicationFactor ?? 1;
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  }
  if (!Number.isInteger(eventPartitions) || eventPartitions < 1) {
    throw new RangeError(`eventPartitions must be a positive integer, got ${eventPartitions}`);
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new RangeError(`replicationFactor must be a positive integer, got ${replicationFactor}`);
  }
  // Acks=all writes survive one broker loss only when two replicas must confirm; a smaller cluster
  // cannot demand that and still accept writes.
  const durability = { 'min.insync.replicas': String(replicationFactor >= 3 ? 2 : 1) };
  const retained = (retentionMs: number) => ({
    ...durability,
    'cleanup.policy': 'delete',
    'retention.ms': String(retentionMs),
  });

  const specs: DeclaredTopic[] = [
    {
      name: INGEST_TOPIC,
      partitions,
      replicationFactor,
      configs: retained(REPLAY_RETENTION_MS),
      purpose: 'Raw events from domain services, keyed by subject so each subject keeps its order.',
      role: { kind: 'ingest' },
    },
    {
      name: INGEST_INVALID_TOPIC,
      // Low volume and read only by people; one partition keeps it in arrival order.
      partitions: 1,
      replicationFactor,
      configs: retained(INGEST_INVALID_RETENTION_MS),
      purpose: 'Raw events that failed validation, with the reason, kept for inspection.',
      role: { kind: 'ingest-invalid' },
    },
  ];

  for (const definition of catalogue) {
    specs.push({
      name: definition.topic,
      partitions: eventPartitions,
      replicationFactor,
      configs: retained(REPLAY_RETENTION_MS),
      purpose: `Validated ${definition.type} events, fanned out to subscribed endpoints.`,
      role: { kind: 'event', eventType: definition.type },
    });
  }

  const delays = [...new Set(options.retryDelaysMs)].sort((a, b) => a - b);
  for (const delayMs of delays) {
    specs.push({
      name: retryTierTopic(delayMs),
      partitions,
      replicationFactor,
      configs: retained(retryTierRetentionMs(delayMs)),
      purpose: `Deliveries waiting ${delayMs} ms before their next attempt.`,
      role: { kind: 'retry-tier', delayMs },
    });
  }

  specs.push(
    {
      name: DELIVERY_TASKS_TOPIC,
      partitions,
      replicationFactor,
      configs: retained(REPLAY_RETENTION_MS),
      purpose: 'Single delivery attempts to make now: due retries, redeliveries, recoveries, test events.',
      role: { kind: 'delivery-tasks' },
    },
    {
      name: DEAD_LETTER_TOPIC,
      partitions,
      replicationFactor,
      configs: retained(DEAD_LETTER_RETENTION_MS),
      purpose: 'Deliveries that failed permanently or exhausted their retries, for inspection and replay.',
      role: { kind: 'dead-letter' },
    },
    {
      name: SUBSCRIPTION_CHANGELOG_TOPIC,
      // Fixed at one partition, never derived from `partitions`: raising the count of a keyed,
      // compacted topic moves keys to new partitions, and compaction (per partition) would then keep
      // a stale value beside the new one. The change rate is tiny, so one partition is plenty.
      partitions: 1,
      replicationFactor,
      configs: {
        ...durability,
        'cleanup.policy': 'compact',
        // The active segment is never compacted; rolling hourly bounds how much history a restarting
        // dispatcher replays.
        'segment.ms': String(HOUR_MS),
        'min.cleanable.dirty.ratio': '0.1',
        // A tombstone stays a day so a consumer that was briefly down still sees the deletion.
        'delete.retention.ms': String(DAY_MS),
      },
      purpose: 'Latest subscription of every endpoint (compacted, keyed by endpoint id; null = deleted).',
      role: { kind: 'subscription-changelog' },
    },
    {
      name: OPERATIONAL_EVENTS_TOPIC,
      // Low volume (endpoint disabled, retries exhausted); a few partitions keep per-endpoint order.
      partitions: Math.min(partitions, 3),
      replicationFactor,
      configs: retained(REPLAY_RETENTION_MS),
      purpose: "Hookline's own events about itself (endpoint disabled, retries exhausted, ...).",
      role: { kind: 'operational' },
    },
  );

  return specs;
}
