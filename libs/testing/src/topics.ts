import { declareTopics, ensureTopicsOnCluster } from '@hookline/kafka';
import { PRESETS } from '@hookline/presets';
import { createTestKafka } from './kafka';

let ensured: Promise<void> | undefined;

/**
 * Creates every topic Hookline declares (retry tiers of all presets, plus the short tiers that
 * scaled-down schedules in tests use) on the test broker, once per test process. Services share
 * these real topic names, so tests tell their data apart by tenant, not by topic.
 */
export function ensureHooklineTopics(extraRetryDelaysMs: readonly number[] = []): Promise<void> {
  ensured ??= (async () => {
    const delays = [...Object.values(PRESETS).flatMap((p) => p.retry.delaysMs), ...extraRetryDelaysMs];
    const kafka = createTestKafka('hookline-test-topics');
    const specs = declareTopics({ retryDelaysMs: delays, partitions: 3 });
    for (let attempt = 1; ; attempt += 1) {
      try {
        await ensureTopicsOnCluster(kafka, specs);
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
