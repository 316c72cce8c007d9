import { DELIVERY_TASKS_TOPIC, encodeDeliveryTask } from '@hookline/events';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { PeriodicTask } from '../periodic-task';
import type { RetrySchedulerMetrics } from './retry-scheduler.metrics';

/** When a waiting delivery counts as stalled, and how much one sweep takes on. */
export interface StalledDeliveryRule {
  /** How long past its due time a delivery may wait, unclaimed, before it is queued again. */
  readonly graceMs: number;
  /** Deliveries queued again per sweep at most; the rest wait for the next sweep. */
  readonly batchSize: number;
}

interface StalledRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string | null;
  attempt_count: number;
}

/**
 * The safety net under every hand-off between the database and Kafka. A delivery whose state says
 * an attempt is due — pending after a redelivery, a recovery or a test event, awaiting a retry, or
 * deferred — relies on a task somewhere in Kafka; a crash between the database commit and the
 * produce (or between recording an attempt and parking its retry) leaves it waiting for a task that
 * does not exist. This sweep finds deliveries waiting well past their due time that no dispatcher
 * holds a claim on, and queues their next attempt again. Should the original task still turn up,
 * the dispatcher's claim on the delivery row lets only one of the two through.
 *
 * Several schedulers may sweep at once: rows are taken with `SKIP LOCKED` and moved forward in the
 * transaction that queues them, so each stalled delivery is queued once per grace period.
 */
export class StalledDeliverySweep {
  private readonly schedule: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Pick<Producer, 'send'>,
    private readonly rule: StalledDeliveryRule,
    intervalMs: number,
    private readonly metrics: RetrySchedulerMetrics,
    private readonly logger: { log(message: string): void; error(message: string): void },
  ) {
    this.schedule = new PeriodicTask(
      () => this.sweepOnce(),
      intervalMs,
      (error) => this.logger.error(`stalled-delivery sweep failed: ${(error as Error).message}`),
    );
  }

  /** Sweeps every interval, the first after one interval (a starting cluster needs no sweep); sweeps never overlap. */
  start(): void {
    this.schedule.start('after-interval');
  }

  /** Runs one sweep; returns the ids of the deliveries queued again. */
  async sweepOnce(): Promise<string[]> {
    const requeued = await this.dataSource.transaction(async (manager) => {
      const rows: StalledRow[] = await manager.query(
        `SELECT d.id, d.tenant_id, d.endpoint_id, d.event_id, e.type AS event_type, d.attempt_count
         FROM deliveries d LEFT JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
         WHERE d.status IN ('pending', 'awaiting_retry')
           AND d.next_attempt_at < now() - $1 * interval '1 millisecond'
           AND (d.claimed_until IS NULL OR d.claimed_until < now())
         ORDER BY d.next_attempt_at
         LIMIT $2
         FOR UPDATE OF d SKIP LOCKED`,
        [this.rule.graceMs, this.rule.batchSize],
      );
      if (rows.length === 0) return [];
      // The task goes out before the rows move on: if Kafka refuses it, nothing changed.
      await this.producer.send({
        topic: DELIVERY_TASKS_TOPIC,
        acks: -1,
        messages: rows.map((row) => ({
          key: row.endpoint_id,
          value: encodeDeliveryTask({
            kind: 'delivery',
            v: 1,
            deliveryId: row.id,
            eventId: row.event_id,
            // An event no longer stored still gets its task: the dispatcher closes the delivery then.
            eventType: row.event_type ?? 'unknown',
            tenantId: row.tenant_id,
            endpointId: row.endpoint_id,
            attempt: row.attempt_count + 1,
          }),
        })),
      });
      await manager.query(
        `UPDATE deliveries SET next_attempt_at = now(), updated_at = now() WHERE id = ANY($1::text[])`,
        [rows.map((row) => row.id)],
      );
      return rows.map((row) => row.id);
    });
    if (requeued.length > 0) {
      this.metrics.stalledRequeued.inc(requeued.length);
      this.logger.log(`queued ${requeued.length} stalled deliveries again`);
    }
    return requeued;
  }

  /** Stops sweeping once the sweep under way has finished. */
  stop(): Promise<void> {
    return this.schedule.stop();
  }
}
