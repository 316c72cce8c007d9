import { type CreatedFormat, renderCreated } from '@hookline/events';
import type { DeliveryDetailDto, DeliveryDto, QueuedDeliveryDto } from './delivery.dto';
import type { DeliveryDetail, DeliveryView, QueuedDelivery } from './delivery.view';

/** A delivery as the REST API's logs show it. */
export function presentDelivery(delivery: DeliveryView, format: CreatedFormat): DeliveryDto {
  return {
    id: delivery.id,
    object: 'delivery',
    endpoint_id: delivery.endpointId,
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    status: delivery.status,
    response_code: delivery.responseCode,
    response_body: delivery.responseBody,
    response_time_ms: delivery.responseTimeMs,
    attempt_count: delivery.attemptCount,
    next_attempt_at: delivery.nextAttemptAt?.toISOString() ?? null,
    last_error: delivery.lastError,
    created: renderCreated(delivery.createdAt, format),
    completed_at: delivery.completedAt?.toISOString() ?? null,
  };
}

/** A delivery with its attempts. */
export function presentDeliveryDetail(delivery: DeliveryDetail, format: CreatedFormat): DeliveryDetailDto {
  return {
    ...presentDelivery(delivery, format),
    attempts: delivery.attempts.map((attempt) => ({
      attempt: attempt.attempt,
      status_code: attempt.statusCode,
      duration_ms: attempt.durationMs,
      error_class: attempt.errorClass,
      error_message: attempt.errorMessage,
      started_at: attempt.startedAt.toISOString(),
      finished_at: attempt.finishedAt.toISOString(),
      request_headers: { ...attempt.requestHeaders },
      response_headers: attempt.responseHeaders ? { ...attempt.responseHeaders } : null,
      response_body: attempt.responseBody,
    })),
  };
}

/** The answer to a request that queued a delivery attempt (test event, redelivery). */
export function presentQueuedDelivery(queued: QueuedDelivery): QueuedDeliveryDto {
  return {
    id: queued.deliveryId,
    object: 'delivery',
    event_id: queued.eventId,
    event_type: queued.eventType,
    endpoint_id: queued.endpointId,
    status: 'pending',
    attempt: queued.attempt,
  };
}
