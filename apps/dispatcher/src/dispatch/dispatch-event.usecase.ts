import { type AcceptedEvent, renderDeliveryBody } from '@hookline/events';
import { type ClaimVerdict, type DeliveryClaims, deliveryIdFor } from '@hookline/persistence';
import type { EndpointView } from '../endpoints/endpoint-view';
import type { AttemptSettlement, DeliverAttempt } from './deliver-attempt.usecase';
import type { DispatcherMetrics } from './dispatcher.metrics';

/** What became of one delivery of an event. */
export type FanOutSettlement = AttemptSettlement | 'already-made' | 'recheck';

/**
 * Fans one accepted event out to every endpoint of its tenant subscribed to its type. The event is
 * stored and each delivery's first attempt claimed in one transaction before anything is sent, so a
 * message read again (after a rebalance or a crash) or a second copy of the event (republished by a
 * producer) finds its deliveries already made or in hand and sends nothing twice. The body is
 * rendered once (with `pending_webhooks` = the number of endpoints) and the same bytes go to all.
 */
export class DispatchEvent {
  constructor(
    private readonly view: EndpointView,
    private readonly claims: DeliveryClaims,
    private readonly deliver: DeliverAttempt,
    private readonly metrics: DispatcherMetrics,
  ) {}

  /** Resolves once the event is stored and every delivery's first attempt is settled durably. */
  async execute(accepted: AcceptedEvent, token: string): Promise<FanOutSettlement[]> {
    const { event, tenantId } = accepted;
    const endpoints = this.view.match(tenantId, event.type).map((endpoint) => ({
      endpoint,
      deliveryId: deliveryIdFor(event.id, endpoint.id, accepted.acceptedAt),
    }));
    const verdicts = await this.claims.claimFanOut({
      event: {
        id: event.id,
        tenantId,
        type: event.type,
        apiVersion: event.api_version,
        createdAt: new Date(accepted.acceptedAt),
        livemode: event.livemode,
        payload: { ...event },
        requestId: event.request?.id ?? null,
        idempotencyKey: event.request?.idempotency_key ?? null,
      },
      deliveries: endpoints.map(({ deliveryId, endpoint }) => ({ deliveryId, endpointId: endpoint.id })),
      token,
    });
    const body = renderDeliveryBody(event, endpoints.length);
    return Promise.all(
      endpoints.map(({ endpoint, deliveryId }) => {
        const request = {
          deliveryId,
          tenantId,
          eventId: event.id,
          eventType: event.type,
          attempt: 1,
          endpoint,
          body,
          acceptedAt: accepted.acceptedAt,
          claimToken: token,
        };
        return settleClaim(verdicts.get(deliveryId), {
          send: () => this.deliver.execute(request),
          recheck: () => this.deliver.recheckLater({ ...request, endpointId: endpoint.id }),
          metrics: this.metrics,
        });
      }),
    );
  }
}

/** Acts on a claim verdict: send when claimed, park a re-check, or let a duplicate go. */
export async function settleClaim<S>(
  verdict: ClaimVerdict | undefined,
  actions: {
    readonly send: () => Promise<S>;
    readonly recheck: () => Promise<void>;
    readonly metrics: DispatcherMetrics;
  },
): Promise<S | 'already-made' | 'recheck'> {
  switch (verdict?.kind) {
    case 'claimed':
      return actions.send();
    case 'claimed-elsewhere':
      if (verdict.sameMessage) {
        // Another process still runs this very message; look again once it has recorded the attempt
        // or its claim has run out (it crashed), rather than send alongside it.
        await actions.recheck();
        return 'recheck';
      }
      break;
    default:
      break;
  }
  // Made already, finished, not due, or a second message for an attempt in hand: nothing to send.
  actions.metrics.duplicatesDropped.inc();
  return 'already-made';
}
