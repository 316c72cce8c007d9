import {
  encodeEndpointChange,
  encodeOperationalEvent,
  OPERATIONAL_EVENTS_TOPIC,
  SUBSCRIPTION_CHANGELOG_TOPIC,
} from '@hookline/events';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EndpointEntity } from '../entities/endpoint.entity';
import { endpointSnapshot } from './endpoint-snapshot';

/** What disabling an endpoint did. */
export type EndpointDisableOutcome =
  | { readonly kind: 'disabled'; readonly endpoint: EndpointEntity }
  /** It was already disabled, or it is gone: nothing was changed or announced. */
  | { readonly kind: 'unchanged' };

/**
 * Disables an endpoint Hookline has given up on (it answered 410 Gone, or every delivery failed for
 * days): stores it inactive with the reason, and publishes its new snapshot to the subscription
 * changelog plus an `endpoint.disabled` operational event. Kafka must acknowledge both before the
 * transaction commits, so an endpoint is never left disabled without the dispatchers being told.
 * Re-enabling is an API call.
 */
export async function disableEndpoint(
  dataSource: DataSource,
  producer: Pick<Producer, 'sendBatch'>,
  endpointId: string,
  reason: string,
  now: () => number = Date.now,
): Promise<EndpointDisableOutcome> {
  return dataSource.transaction(async (manager): Promise<EndpointDisableOutcome> => {
    const updated: unknown[] = await manager.query(
      `UPDATE endpoints SET active = false, disabled_reason = $2, disabled_at = now(), updated_at = now(),
         version = version + 1
       WHERE id = $1 AND active
       RETURNING id`,
      [endpointId, reason],
    );
    if (updated.length === 0) return { kind: 'unchanged' };
    const endpoint = await manager.getRepository(EndpointEntity).findOneByOrFail({ id: endpointId });
    await producer.sendBatch({
      acks: -1,
      topicMessages: [
        {
          topic: SUBSCRIPTION_CHANGELOG_TOPIC,
          messages: [{ key: endpoint.id, value: encodeEndpointChange(endpointSnapshot(endpoint)) }],
        },
        {
          topic: OPERATIONAL_EVENTS_TOPIC,
          messages: [
            {
              key: endpoint.tenantId,
              value: encodeOperationalEvent({
                type: 'endpoint.disabled',
                tenantId: endpoint.tenantId,
                occurredAt: now(),
                data: { endpoint_id: endpoint.id, reason },
              }),
            },
          ],
        },
      ],
    });
    return { kind: 'disabled', endpoint };
  });
}
