import { type Admin, ConfigResourceTypes, ConfigSource, type Kafka } from 'kafkajs';
import type { TopicSpec } from './topics';

/** The part of the kafkajs admin client that `ensureTopics` uses. */
export type TopicAdmin = Pick<
  Admin,
  | 'listTopics'
  | 'createTopics'
  | 'createPartitions'
  | 'fetchTopicMetadata'
  | 'fetchTopicOffsets'
  | 'describeConfigs'
  | 'alterConfigs'
>;

/** A topic-level config value that changed; `from` is absent when the topic used the broker default. */
export interface ConfigChange {
  name: string;
  from?: string;
  to: string;
}

/** Something `ensureTopics` changed on the cluster. */
export type TopicChange =
  | { kind: 'created'; topic: string; partitions: number; replicationFactor: number }
  | { kind: 'partitions-raised'; topic: string; from: number; to: number }
  | {
      kind: 'configs-updated';
      topic: string;
      /** Declared values that were missing or different. */
      updated: ConfigChange[];
      /** Overrides that are not declared and now follow the broker default again. */
      cleared: Array<{ name: string; from: string }>;
    };

/** A difference that `ensureTopics` must not fix by itself; an operator decides. */
export type TopicDrift =
  // Kafka cannot remove partitions; only recreating the topic (losing data) would.
  | { kind: 'more-partitions-than-declared'; topic: string; actual: number; declared: number }
  // Changing the replication factor is a partition reassignment, not a config change.
  | { kind: 'replication-factor-differs'; topic: string; actual: number; declared: number };

/** What `ensureTopics` found and did. */
export interface EnsureTopicsReport {
  changes: TopicChange[];
  drift: TopicDrift[];
  /** Topics that already matched their spec. */
  unchanged: string[];
}

/**
 * Makes the cluster match `specs`: creates missing topics, raises partition counts that are too low
 * and rewrites topic configs that differ. Never deletes a topic or lowers anything, so it is safe to
 * run at every deployment; a second run reports no changes.
 *
 * The declared configs are the whole truth for a topic: an override set by hand that the spec does
 * not declare is cleared (and reported), because the admin API available here replaces a topic's
 * overrides as a set.
 */
export async function ensureTopics(
  admin: TopicAdmin,
  specs: readonly TopicSpec[],
): Promise<EnsureTopicsReport> {
  assertUniqueNames(specs);
  const report: EnsureTopicsReport = { changes: [], drift: [], unchanged: [] };
  if (specs.length === 0) return report;

  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  const present = specs.filter((spec) => existing.has(spec.name));

  if (missing.length > 0) {
    const created = await admin.createTopics({
      // The client's own wait treats "unknown topic" as fatal, but a KRaft broker answers exactly that
      // for a moment after creation; `waitForLeaders` below tolerates it.
      waitForLeaders: false,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor,
        configEntries: configEntries(spec.configs),
      })),
    });
    // A topic someone else created concurrently may have fewer partitions; reconcile raises them.
    await waitForLeaders(
      admin,
      created ? missing : missing.map((spec) => ({ name: spec.name, partitions: 1 })),
    );
    if (created) {
      for (const spec of missing) {
        report.changes.push({
          kind: 'created',
          topic: spec.name,
          partitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
        });
      }
    } else {
      // `false` means someone else created some of them between our listing and our request; check
      // them like any existing topic rather than guessing who created what.
      present.push(...missing);
    }
  }

  if (present.length > 0) await reconcile(admin, present, report);
  return report;
}

async function reconcile(
  admin: TopicAdmin,
  specs: readonly TopicSpec[],
  report: EnsureTopicsReport,
): Promise<void> {
  const names = specs.map((spec) => spec.name);
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  const layout = new Map(
    topics.map((topic) => [
      topic.name,
      {
        partitions: topic.partitions.length,
        replicationFactor: Math.max(0, ...topic.partitions.map((partition) => partition.replicas.length)),
      },
    ]),
  );
  const overrides = await topicOverrides(admin, names);

  const raise: Array<{ topic: string; count: number }> = [];
  const rewrite: TopicSpec[] = [];
  for (const spec of specs) {
    const actual = layout.get(spec.name);
    if (!actual) throw new Error(`topic ${spec.name} exists but the broker returned no metadata for it`);
    let changed = false;

    if (actual.partitions < spec.partitions) {
      raise.push({ topic: spec.name, count: spec.partitions });
      report.changes.push({
        kind: 'partitions-raised',
        topic: spec.name,
        from: actual.partitions,
        to: spec.partitions,
      });
      changed = true;
    } else if (actual.partitions > spec.partitions) {
      report.drift.push({
        kind: 'more-partitions-than-declared',
        topic: spec.name,
        actual: actual.partitions,
        declared: spec.partitions,
      });
    }
    if (actual.replicationFactor !== spec.replicationFactor) {
      report.drift.push({
        kind: 'replication-factor-differs',
        topic: spec.name,
        actual: actual.replicationFactor,
        declared: spec.replicationFactor,
      });
    }

    const diff = diffConfigs(overrides.get(spec.name) ?? {}, spec.configs);
    if (diff.updated.length > 0 || diff.cleared.length > 0) {
      rewrite.push(spec);
      report.changes.push({ kind: 'configs-updated', topic: spec.name, ...diff });
      changed = true;
    }
    if (!changed) report.unchanged.push(spec.name);
  }

  if (raise.length > 0) {
    await admin.createPartitions({ topicPartitions: raise });
    await waitForLeaders(
      admin,
      raise.map(({ topic, count }) => ({ name: topic, partitions: count })),
    );
  }
  if (rewrite.length > 0) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: rewrite.map((spec) => ({
        type: ConfigResourceTypes.TOPIC,
        name: spec.name,
        configEntries: configEntries(spec.configs),
      })),
    });
    await waitForConfigs(admin, rewrite);
  }
}

/** Each topic's overrides: the configs set on the topic itself rather than inherited from the broker. */
async function topicOverrides(
  admin: TopicAdmin,
  names: readonly string[],
): Promise<Map<string, Record<string, string>>> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  const overrides = new Map<string, Record<string, string>>();
  for (const resource of described.resources) {
    if (resource.errorCode !== 0) {
      throw new Error(
        `describing configs of topic ${resource.resourceName} failed: ${resource.errorMessage}`,
      );
    }
    const current: Record<string, string> = {};
    for (const entry of resource.configEntries) {
      if (entry.configSource === ConfigSource.TOPIC_CONFIG) current[entry.configName] = entry.configValue;
    }
    overrides.set(resource.resourceName, current);
  }
  return overrides;
}

/**
 * Waits until the broker serves the configs just written. A KRaft broker applies them from the
 * metadata log slightly after the controller accepts them; without this wait an immediate second run
 * could read the old values and rewrite them again.
 */
async function waitForConfigs(admin: TopicAdmin, specs: readonly TopicSpec[]): Promise<void> {
  const deadline = Date.now() + PROPAGATION_WAIT_MS;
  for (;;) {
    const overrides = await topicOverrides(
      admin,
      specs.map((spec) => spec.name),
    );
    const stale = specs.filter((spec) => {
      const diff = diffConfigs(overrides.get(spec.name) ?? {}, spec.configs);
      return diff.updated.length > 0 || diff.cleared.length > 0;
    });
    if (stale.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `configs not applied after ${PROPAGATION_WAIT_MS} ms: ${stale.map((spec) => spec.name).join(', ')}`,
      );
    }
    await sleep(100);
  }
}

/** How long a change may take to show in the broker's metadata before `ensureTopics` gives up. */
export const PROPAGATION_WAIT_MS = 30_000;

// Errors a broker answers while a just-created topic is still propagating through its metadata.
const PROPAGATING = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
]);

/**
 * Waits until every partition of `topics` has a leader that serves it, so that producers and
 * consumers started right after `ensureTopics` find the topics ready. Metadata naming a leader is
 * not enough: a busy KRaft broker publishes the new leadership in its metadata a moment before its
 * log layer takes the partition on, and answers "not the leader" to produce requests meanwhile.
 * Listing the partitions' offsets goes to the leader itself, so its success is the real signal.
 */
async function waitForLeaders(
  admin: TopicAdmin,
  topics: ReadonlyArray<Pick<TopicSpec, 'name' | 'partitions'>>,
): Promise<void> {
  const deadline = Date.now() + PROPAGATION_WAIT_MS;
  for (;;) {
    let pending: string;
    try {
      // Metadata of all topics, not of these: asking for a topic the broker does not know yet is
      // answered with an error that the client logs on every poll.
      const { topics: metadata } = await admin.fetchTopicMetadata();
      const byName = new Map(metadata.map((topic) => [topic.name, topic.partitions]));
      const notReady = topics.filter((topic) => {
        const partitions = byName.get(topic.name) ?? [];
        return partitions.length < topic.partitions || partitions.some((partition) => partition.leader < 0);
      });
      if (notReady.length === 0) {
        for (const topic of topics) await admin.fetchTopicOffsets(topic.name);
        return;
      }
      pending = `no leader yet for ${notReady.map((topic) => topic.name).join(', ')}`;
    } catch (error) {
      if (!PROPAGATING.has(errorType(error))) throw error;
      pending = errorType(error);
    }
    if (Date.now() > deadline)
      throw new Error(`topics not ready after ${PROPAGATION_WAIT_MS} ms: ${pending}`);
    await sleep(100);
  }
}

// The client wraps an error it gave up retrying; the broker's error code sits in `cause`.
function errorType(error: unknown): string {
  const { type, cause } = (error ?? {}) as { type?: unknown; cause?: unknown };
  if (typeof type === 'string') return type;
  return cause && cause !== error ? errorType(cause) : '';
}

/** Compares a topic's current overrides with its declared configs. */
export function diffConfigs(
  current: Readonly<Record<string, string>>,
  declared: Readonly<Record<string, string>>,
): { updated: ConfigChange[]; cleared: Array<{ name: string; from: string }> } {
  const updated: ConfigChange[] = [];
  for (const [name, to] of Object.entries(declared)) {
    const from = current[name];
    if (from === to) continue;
    updated.push(from === undefined ? { name, to } : { name, from, to });
  }
  const cleared = Object.entries(current)
    .filter(([name]) => !(name in declared))
    .map(([name, from]) => ({ name, from }));
  return { updated, cleared };
}

/** One human-readable line per change and drift, for CLIs and deployment logs. */
export function describeEnsureTopicsReport(report: EnsureTopicsReport): string[] {
  const lines = report.changes.map((change) => {
    switch (change.kind) {
      case 'created':
        return `created ${change.topic} (${change.partitions} partitions, replication factor ${change.replicationFactor})`;
      case 'partitions-raised':
        return `raised partitions of ${change.topic} from ${change.from} to ${change.to}`;
      case 'configs-updated': {
        const parts = [
          ...change.updated.map((c) => `${c.name}: ${c.from ?? '(default)'} -> ${c.to}`),
          ...change.cleared.map((c) => `${c.name}: ${c.from} -> (default)`),
        ];
        return `updated configs of ${change.topic}: ${parts.join(', ')}`;
      }
    }
  });
  for (const drift of report.drift) {
    switch (drift.kind) {
      case 'more-partitions-than-declared':
        lines.push(
          `note: ${drift.topic} has ${drift.actual} partitions, more than the ${drift.declared} declared (left as is)`,
        );
        break;
      case 'replication-factor-differs':
        lines.push(
          `note: ${drift.topic} has replication factor ${drift.actual}, declared ${drift.declared} (needs a reassignment; left as is)`,
        );
        break;
    }
  }
  return lines;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function configEntries(configs: Readonly<Record<string, string>>) {
  return Object.entries(configs).map(([name, value]) => ({ name, value }));
}

function assertUniqueNames(specs: readonly TopicSpec[]): void {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) throw new Error(`topic ${spec.name} is declared twice`);
    seen.add(spec.name);
  }
}

/** Connects an admin client of `kafka`, ensures `specs` and disconnects again, whatever happens. */
export async function ensureTopicsOnCluster(
  kafka: Kafka,
  specs: readonly TopicSpec[],
): Promise<EnsureTopicsReport> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, specs);
  } finally {
    await admin.disconnect();
  }
}
