import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@hookline/observability';
import { Counter, type Registry } from 'prom-client';
import { DomainError } from '../errors/domain.errors';

/** What an API operation acted on. */
export type OperationResource = 'endpoint' | 'tenant' | 'api_key' | 'operator_key' | 'delivery' | 'event';

/** How an operation ended: `ok`, a domain error kind, or `error` for anything unexpected. */
export type OperationResult = 'ok' | DomainError['kind'] | 'error';

/** Why a delivery task was produced. */
export type DeliveryTaskReason = 'test' | 'redeliver' | 'recover';

const DELIVERY_TASK_REASONS: readonly DeliveryTaskReason[] = ['test', 'redeliver', 'recover'];

/** The subscription service's own metrics, on the service registry served at `/metrics`. */
@Injectable()
export class SubscriptionMetrics {
  private readonly operations: Counter<'resource' | 'operation' | 'result'>;
  private readonly changelogRecords: Counter<'kind' | 'result'>;
  private readonly deliveryTasks: Counter<'reason' | 'result'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.operations = new Counter({
      name: 'hookline_subscription_operations_total',
      help: 'API operations on endpoints, keys, deliveries and events, by resource, operation and result.',
      labelNames: ['resource', 'operation', 'result'],
      registers: [registry],
    });
    this.changelogRecords = new Counter({
      name: 'hookline_subscription_changelog_records_total',
      help: 'Endpoint changelog records written (upsert or tombstone), by result.',
      labelNames: ['kind', 'result'],
      registers: [registry],
    });
    this.deliveryTasks = new Counter({
      name: 'hookline_subscription_delivery_tasks_total',
      help: 'Delivery tasks produced for test events, redeliveries and recoveries, by result.',
      labelNames: ['reason', 'result'],
      registers: [registry],
    });
    // Series exist from start, so increase() sees the first failure too.
    for (const result of ['ok', 'failed'] as const) {
      for (const kind of ['upsert', 'tombstone'] as const) this.changelogRecords.inc({ kind, result }, 0);
      for (const reason of DELIVERY_TASK_REASONS) this.deliveryTasks.inc({ reason, result }, 0);
    }
  }

  /** Runs one operation and counts it under its outcome. */
  async track<T>(resource: OperationResource, operation: string, run: () => Promise<T>): Promise<T> {
    try {
      const value = await run();
      this.operations.inc({ resource, operation, result: 'ok' });
      return value;
    } catch (error) {
      const result: OperationResult = error instanceof DomainError ? error.kind : 'error';
      this.operations.inc({ resource, operation, result });
      throw error;
    }
  }

  /** Counts changelog records written or refused. */
  changelogWritten(kind: 'upsert' | 'tombstone', result: 'ok' | 'failed', count = 1): void {
    this.changelogRecords.inc({ kind, result }, count);
  }

  /** Counts delivery tasks produced or refused. */
  deliveryTasksWritten(reason: DeliveryTaskReason, result: 'ok' | 'failed', count = 1): void {
    if (count > 0) this.deliveryTasks.inc({ reason, result }, count);
  }
}
