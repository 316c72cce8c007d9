import {
  type DeliveryAttemptTask,
  type EndpointSnapshot,
  renderDeliveryBody,
  type WebhookEvent,
} from '@hookline/events';
import { EndpointEntity, endpointSnapshot } from '@hookline/persistence';
import type { DataSource } from 'typeorm';
import type { EndpointView } from '../endpoints/endpoint-view';
import type { AttemptSettlement, DeliverAttempt } from './deliver-attempt.usecase';
import type { DispatcherMetrics } from './dispatcher.metrics';

/** What became of a single-delivery task. */
export type TaskSettlement = AttemptSettlement | 'skipped';

/**
 * Makes one attempt of an existing delivery: a retry that came due, a manual redelivery or
 * recovery, or a test event. The event is loaded from the database and rendered again, with
 * `pending_webhooks` counting the deliveries of that event not yet succeeded.
 */
export class DispatchTask {
  constructor(
    private readonly view: EndpointView,
    private readonly dataSource: DataSource,
    private readonly deliver: DeliverAttempt,
    private readonly metrics: DispatcherMetrics,
  ) {}

  /** Resolves once the attempt's outcome (or the reason it was skipped) is durable. */
  async execute(task: DeliveryAttemptTask): Promise<TaskSettlement> {
    // The changelog may lag a task produced right after its endpoint changed: the database decides then.
    const endpoint = this.view.get(task.endpointId) ?? (await this.loadEndpoint(task.endpointId));
    if (!endpoint || endpoint.tenantId !== task.tenantId) return this.skip(task, 'the endpoint was deleted');
    if (!endpoint.active) return this.skip(task, 'the endpoint is disabled');
    const rows: Array<{
      payload: Omit<WebhookEvent, 'pending_webhooks'>;
      created_at: Date;
      pending: string;
    }> = await this.dataSource.query(
      `SELECT e.payload, e.created_at,
           (SELECT count(*) FROM deliveries d WHERE d.event_id = e.id AND d.status <> 'succeeded') AS pending
         FROM events e WHERE e.id = $1 AND e.tenant_id = $2`,
      [task.eventId, task.tenantId],
    );
    if (rows.length === 0) return this.skip(task, 'the event is not stored');
    const body = renderDeliveryBody(rows[0].payload, Math.max(1, Number(rows[0].pending)));
    return this.deliver.execute({
      deliveryId: task.deliveryId,
      tenantId: task.tenantId,
      eventId: task.eventId,
      eventType: task.eventType,
      attempt: task.attempt,
      endpoint,
      body,
    });
  }

  private async loadEndpoint(endpointId: string): Promise<EndpointSnapshot | undefined> {
    const row = await this.dataSource.getRepository(EndpointEntity).findOneBy({ id: endpointId });
    return row ? endpointSnapshot(row) : undefined;
  }

  private async skip(task: DeliveryAttemptTask, reason: string): Promise<'skipped'> {
    await this.dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, last_error, completed_at)
       VALUES ($1, $2, $3, $4, 'skipped', $5, $6, now())
       ON CONFLICT (id) DO UPDATE SET status = 'skipped', last_error = excluded.last_error,
         next_attempt_at = NULL, completed_at = now(), updated_at = now()
       WHERE deliveries.status <> 'succeeded'`,
      [task.deliveryId, task.tenantId, task.endpointId, task.eventId, Math.max(0, task.attempt - 1), reason],
    );
    this.metrics.deliveries.inc({ outcome: 'skipped', status_class: 'none' });
    return 'skipped';
  }
}
