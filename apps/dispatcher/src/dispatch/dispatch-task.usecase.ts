import {
  type DeliveryAttemptTask,
  type EndpointSnapshot,
  renderDeliveryBody,
  type WebhookEvent,
} from '@hookline/events';
import {
  type DeliveryClaims,
  deliveryIdDay,
  EndpointEntity,
  isoDay,
  endpointSnapshot,
  type OpenedEndpointSnapshot,
  withDayPartitions,
} from '@hookline/persistence';
import type { DataSource } from 'typeorm';
import type { EndpointView } from '../endpoints/endpoint-view';
import type { DeliverAttempt } from './deliver-attempt.usecase';
import { type FanOutSettlement, settleClaim } from './dispatch-event.usecase';
import type { DispatcherMetrics } from './dispatcher.metrics';

/** What became of a single-delivery task. */
export type TaskSettlement = FanOutSettlement | 'skipped';

/**
 * Makes one attempt of an existing delivery: a retry that came due, a manual redelivery or
 * recovery, or a test event. The attempt is claimed on the delivery row first: a task for an
 * attempt already made, for a delivery already finished, or for an attempt another process is
 * making is dropped, so duplicated retry chains merge instead of running side by side. The event is
 * loaded from the database and rendered again, with `pending_webhooks` counting the deliveries of
 * that event not yet succeeded.
 */
export class DispatchTask {
  constructor(
    private readonly view: EndpointView,
    private readonly dataSource: DataSource,
    private readonly open: (snapshot: EndpointSnapshot) => OpenedEndpointSnapshot,
    private readonly claims: DeliveryClaims,
    private readonly deliver: DeliverAttempt,
    private readonly metrics: DispatcherMetrics,
  ) {}

  /** Resolves once the attempt's outcome (or the reason it was skipped) is durable. */
  async execute(task: DeliveryAttemptTask, token: string): Promise<TaskSettlement> {
    // The changelog may lag a task produced right after its endpoint changed: the database decides then.
    const endpoint = this.view.get(task.endpointId) ?? (await this.loadEndpoint(task.endpointId));
    if (!endpoint || endpoint.tenantId !== task.tenantId) return this.skip(task, 'the endpoint was deleted');
    if (!endpoint.active) return this.skip(task, 'the endpoint is disabled');
    const verdict = await this.claims.claimAttempt({
      deliveryId: task.deliveryId,
      tenantId: task.tenantId,
      attempt: task.attempt,
      token,
    });
    const ref = { ...task, endpointId: endpoint.id };
    return settleClaim(verdict, {
      send: async (): Promise<TaskSettlement> => {
        const rows: Array<{
          payload: Omit<WebhookEvent, 'pending_webhooks'> | null;
          pending: string;
        }> = await this.dataSource.query(
          `SELECT e.payload,
             (SELECT count(*) FROM deliveries d
               WHERE d.tenant_id = e.tenant_id AND d.event_id = e.id AND d.status <> 'succeeded') AS pending
           FROM events e WHERE e.tenant_id = $1 AND e.id = $2
           ORDER BY e.day = $3::date DESC, e.day DESC LIMIT 1`,
          // An id published again on another day is another event: the delivery's own day first
          // (rows from before day partitioning all sit on the migration's day, hence the fallback).
          [task.tenantId, task.eventId, isoDay(deliveryIdDay(task.deliveryId) ?? 0)],
        );
        // The event row is written before any task can refer to it, so a missing one was removed.
        if (rows.length === 0) return this.skip(task, 'the event is not stored');
        if (rows[0].payload === null) return this.skip(task, 'the event was expunged');
        const body = renderDeliveryBody(rows[0].payload, Math.max(1, Number(rows[0].pending)));
        return this.deliver.execute({
          deliveryId: task.deliveryId,
          tenantId: task.tenantId,
          eventId: task.eventId,
          eventType: task.eventType,
          attempt: task.attempt,
          endpoint,
          body,
          claimToken: token,
        });
      },
      recheck: () => this.deliver.recheckLater(ref),
      metrics: this.metrics,
    });
  }

  private async loadEndpoint(endpointId: string): Promise<OpenedEndpointSnapshot | undefined> {
    const row = await this.dataSource.getRepository(EndpointEntity).findOneBy({ id: endpointId });
    return row ? this.open(endpointSnapshot(row)) : undefined;
  }

  private async skip(task: DeliveryAttemptTask, reason: string): Promise<'skipped'> {
    // A delivery that succeeded stays succeeded; one still waiting is closed with the reason.
    // A task may outlive its day's partition (retention dropped it): the row is then written to a
    // partition made for it, which the next retention sweep drops again.
    const write = () =>
      this.dataSource.query(
        `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, last_error, completed_at)
       VALUES ($1, $2, $3, $4, 'skipped', $5, $6, now())
       ON CONFLICT (id) DO UPDATE SET status = 'skipped', last_error = excluded.last_error,
         next_attempt_at = NULL, completed_at = now(), claimed_by = NULL, claimed_until = NULL,
         updated_at = now()
       WHERE deliveries.status IN ('pending', 'awaiting_retry') AND deliveries.tenant_id = excluded.tenant_id`,
        [
          task.deliveryId,
          task.tenantId,
          task.endpointId,
          task.eventId,
          Math.max(0, task.attempt - 1),
          reason,
        ],
      );
    await withDayPartitions(this.dataSource, () => [deliveryIdDay(task.deliveryId) ?? Date.now()], write);
    this.metrics.deliveries.inc({ outcome: 'skipped', status_class: 'none' });
    return 'skipped';
  }
}
