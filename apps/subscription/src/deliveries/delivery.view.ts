import type { DeliveryStatus } from '@hookline/persistence';

/** A delivery of one event to one endpoint, as delivery logs show it. */
export interface DeliveryView {
  readonly id: string;
  readonly tenantId: string;
  readonly endpointId: string;
  readonly eventId: string;
  /** `null` when the event is no longer stored. */
  readonly eventType: string | null;
  readonly status: DeliveryStatus;
  /** HTTP status of the last attempt; `null` before the first answer or when none came. */
  readonly responseCode: number | null;
  /** Start of the last response body (at most 16 KiB). */
  readonly responseBody: string | null;
  readonly responseTimeMs: number | null;
  readonly attemptCount: number;
  readonly nextAttemptAt: Date | null;
  /** Why the last attempt failed, when it did. */
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
}

/** One HTTP attempt of a delivery. */
export interface AttemptView {
  readonly attempt: number;
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly errorClass: string | null;
  readonly errorMessage: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** Headers as sent, credentials redacted. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** Headers of the answer, credentials redacted; `null` when none came. */
  readonly responseHeaders: Readonly<Record<string, string>> | null;
  /** Start of the answer body as stored; `null` when none came or it was expunged. */
  readonly responseBody: string | null;
}

/** A delivery with every attempt, oldest first. */
export interface DeliveryDetail extends DeliveryView {
  readonly attempts: readonly AttemptView[];
}

/** A delivery attempt that was queued: the delivery, its event and the attempt number. */
export interface QueuedDelivery {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly endpointId: string;
  readonly attempt: number;
}

/** A row of `deliveries` joined with its event's type, as raw SQL returns it. */
export interface DeliveryRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string | null;
  event_expunged_at: Date | null;
  status: DeliveryStatus;
  attempt_count: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_response_body: string | null;
  last_response_time_ms: number | null;
  last_error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

/** Maps a joined delivery row. */
export function toDeliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    responseCode: row.last_status_code,
    responseBody: row.last_response_body,
    responseTimeMs: row.last_response_time_ms,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
