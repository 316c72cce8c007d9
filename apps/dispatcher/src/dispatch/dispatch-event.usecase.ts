import { type AcceptedEvent, renderDeliveryBody } from '@hookline/events';
import type { BatchingEventRecorder } from '@hookline/persistence';
import type { EndpointView } from '../endpoints/endpoint-view';
import type { AttemptSettlement, DeliverAttempt } from './deliver-attempt.usecase';
import { deliveryIdFor } from './delivery-id';

/**
 * Fans one accepted event out to every endpoint of its tenant subscribed to its type. The body is
 * rendered once (with `pending_webhooks` = the number of endpoints) and the same bytes go to all of
 * them; the event itself is stored for the events API and for later attempts.
 */
export class DispatchEvent {
  constructor(
    private readonly view: EndpointView,
    private readonly events: BatchingEventRecorder,
    private readonly deliver: DeliverAttempt,
  ) {}

  /** Resolves once the event is stored and every delivery's first attempt is settled durably. */
  async execute(accepted: AcceptedEvent): Promise<AttemptSettlement[]> {
    const { event, tenantId } = accepted;
    const endpoints = this.view.match(tenantId, event.type);
    const stored = this.events.record({
      id: event.id,
      tenantId,
      type: event.type,
      apiVersion: event.api_version,
      createdAt: new Date(accepted.acceptedAt),
      livemode: event.livemode,
      payload: { ...event },
      requestId: event.request?.id ?? null,
      idempotencyKey: event.request?.idempotency_key ?? null,
    });
    const body = renderDeliveryBody(event, endpoints.length);
    const [, ...settlements] = await Promise.all([
      stored,
      ...endpoints.map((endpoint) =>
        this.deliver.execute({
          deliveryId: deliveryIdFor(event.id, endpoint.id),
          tenantId,
          eventId: event.id,
          eventType: event.type,
          attempt: 1,
          endpoint,
          body,
          acceptedAt: accepted.acceptedAt,
        }),
      ),
    ]);
    return settlements;
  }
}
