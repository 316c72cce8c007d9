import { declareTopics, ensureTopicsOnCluster } from '@hookline/kafka';
import { PRESETS, retryTiers } from '@hookline/presets';
import type { Admin, Kafka } from 'kafkajs';
import { createTestKafka } from './kafka';

// Topics another test process created a moment ago may not have leaders, or leaders serving them, yet.
async function waitForLeaders(kafka: Kafka, topics: string[], timeoutMs = 30_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const metadata = await admin.fetchTopicMetadata({ topics }).catch(() => undefined);
      const ready = metadata?.topics.every(
        (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
      );
      // Listing offsets goes to each partition's leader: it succeeds only once the leader serves it.
      if (ready && (await servedByLeaders(admin, topics))) return;
      if (Date.now() > deadline) throw new Error('topics have no leaders yet');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

async function servedByLeaders(admin: Admin, topics: string[]): Promise<boolean> {
  try {
    for (const topic of topics) await admin.fetchTopicOffsets(topic);
    return true;
  } catch {
    return false;
  }
}

let ensured: Promise<void> | undefined;

/**
 * Creates every topic Hookline declares (retry tiers of all presets, plus the short tiers that
 * scaled-down schedules in tests use) on the test broker, once per test process. Services share
 * these real topic names, so tests tell their data apart by tenant, not by topic.
 */
export function ensureHooklineTopics(extraRetryDelaysMs: readonly number[] = []): Promise<void> {
  ensured ??= (async () => {
    const delays = [...Object.values(PRESETS).flatMap((p) => retryTiers(p.retry)), ...extraRetryDelaysMs];
    const kafka = createTestKafka('hookline-test-topics');
    const specs = declareTopics({ retryDelaysMs: delays, partitions: 3 });
    for (let attempt = 1; ; attempt += 1) {
      try {
        await ensureTopicsOnCluster(kafka, specs);
        await waitForLeaders(
          kafka,
          specs.map((spec) => spec.name),
        );
        return;
      } catch (error) {
        // Test files in other processes may be creating the same topics right now.
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  })();
  return ensured;
}
