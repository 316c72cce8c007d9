import {
  encodeEndpointChange,
  encodeOperationalEvent,
  OPERATIONAL_EVENTS_TOPIC,
  SUBSCRIPTION_CHANGELOG_TOPIC,
} from '@hookline/events';
import { EndpointEntity, endpointSnapshot } from '@hookline/persistence';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { EndpointView } from '../endpoints/endpoint-view';
import type { DispatcherMetrics } from './dispatcher.metrics';

/**
 * Disables an endpoint the dispatcher has given up on (it answered 410 Gone): in the database, in
 * this process's view at once, and in the changelog for every other dispatcher, plus an
 * `endpoint.disabled` operational event. Re-enabling is an API call.
 */
export class EndpointDisabler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly view: EndpointView,
    private readonly metrics: DispatcherMetrics,
  ) {}

  /** Disables the endpoint unless it is already disabled or gone. */
  async disable(endpointId: string, reason: string): Promise<void> {
    const current = this.view.get(endpointId);
    if (current) this.view.upsert({ ...current, active: false, version: current.version });
    const endpoint = await this.dataSource.transaction(async (manager) => {
      const updated: unknown[] = await manager.query(
        `UPDATE endpoints SET active = false, disabled_reason = $2, disabled_at = now(), updated_at = now(),
           version = version + 1
         WHERE id = $1 AND active
         RETURNING id`,
        [endpointId, reason],
      );
      if ((updated as unknown[]).length === 0) return undefined;
      const row = await manager.getRepository(EndpointEntity).findOneByOrFail({ id: endpointId });
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [
          {
            topic: SUBSCRIPTION_CHANGELOG_TOPIC,
            messages: [{ key: row.id, value: encodeEndpointChange(endpointSnapshot(row)) }],
          },
          {
            topic: OPERATIONAL_EVENTS_TOPIC,
            messages: [
              {
                key: row.tenantId,
                value: encodeOperationalEvent({
                  type: 'endpoint.disabled',
                  tenantId: row.tenantId,
                  occurredAt: Date.now(),
                  data: { endpoint_id: row.id, reason },
                }),
              },
            ],
          },
        ],
      });
      return row;
    });
    if (endpoint) {
      this.view.upsert(endpointSnapshot(endpoint));
      this.metrics.endpointsDisabled.inc({ reason: reason.startsWith('410') ? 'gone' : 'other' });
    }
  }
}
