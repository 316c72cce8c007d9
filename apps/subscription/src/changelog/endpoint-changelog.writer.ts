import { Injectable } from '@nestjs/common';
import { encodeEndpointChange, type EndpointSnapshot, SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { KafkaPublisher } from '../kafka/kafka.publisher';
import { SubscriptionMetrics } from '../metrics/subscription.metrics';

/** One changelog record: the endpoint's new state, or `null` when it was deleted. */
export interface EndpointChangeRecord {
  readonly endpointId: string;
  readonly snapshot: EndpointSnapshot | null;
}

/**
 * Writes the subscription changelog: keyed by endpoint id on a compacted topic, a snapshot per change
 * and a tombstone (null value) per deletion.
 */
@Injectable()
export class EndpointChangelogWriter {
  constructor(
    private readonly publisher: KafkaPublisher,
    private readonly metrics: SubscriptionMetrics,
  ) {}

  /** Writes `records` in order; resolves once Kafka holds them durably, rejects with `PublishFailedError`. */
  async write(records: readonly EndpointChangeRecord[]): Promise<void> {
    const tombstones = records.filter((record) => record.snapshot === null).length;
    const upserts = records.length - tombstones;
    try {
      await this.publisher.send(
        SUBSCRIPTION_CHANGELOG_TOPIC,
        records.map((record) => ({
          key: record.endpointId,
          value: record.snapshot ? encodeEndpointChange(record.snapshot) : null,
        })),
      );
    } catch (error) {
      this.count(upserts, tombstones, 'failed');
      throw error;
    }
    this.count(upserts, tombstones, 'ok');
  }

  private count(upserts: number, tombstones: number, result: 'ok' | 'failed'): void {
    if (upserts > 0) this.metrics.changelogWritten('upsert', result, upserts);
    if (tombstones > 0) this.metrics.changelogWritten('tombstone', result, tombstones);
  }
}
