import type { DeliveryStatus } from '../delivery-status';

/** One finished HTTP attempt, and the state its delivery is in afterwards. */
export interface AttemptRecord {
  /** Identifies this one request sent; recording it again changes nothing. */
  sendId: string;
  /** The message the attempt came from; kept on the delivery after its claim is released. */
  claimToken: string | null;
  deliveryId: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  /** 1 for the first attempt. */
  attemptNumber: number;
  /** Headers as sent; credentials are redacted before they are stored. */
  requestHeaders: Record<string, string>;
  /** Names of the endpoint's custom headers among `requestHeaders`: stored by name, never by value. */
  customHeaderNames: readonly string[];
  /** Absent when no response arrived. */
  statusCode: number | null;
  responseHeaders: Record<string, string> | null;
  /** Response body as text; only the first 16 KiB are kept. */
  responseBody: string | null;
  durationMs: number;
  /** Machine-readable failure kind (`timeout`, `connection_refused`, `http_5xx`, …). */
  errorClass: string | null;
  errorMessage: string | null;
  startedAt: Date;
  finishedAt: Date;
  /** Delivery status after this attempt. */
  deliveryStatus: DeliveryStatus;
  /** When the next attempt is due, for `awaiting_retry`. */
  nextAttemptAt: Date | null;
}

/** An attempt that was not made (open breaker, endpoint saturated): it waits, its number unchanged. */
export interface DeferralRecord {
  deliveryId: string;
  tenantId: string;
  /** The message whose claim this releases. */
  claimToken: string;
  /** Why, as shown in the delivery log (`deferred: circuit breaker open`). */
  reason: string;
  /** When the attempt is due again. */
  nextAttemptAt: Date;
}

/** Stores delivery attempts. */
export interface AttemptRecorder {
  /**
   * Records an attempt and its delivery's new state; resolves once both are durable and rejects
   * when they could not be written. Recording the same send again changes nothing; a delivery that
   * succeeded is never set back by a later record.
   */
  record(attempt: AttemptRecord): Promise<void>;
  /** Records that the delivery's next attempt was deferred, releasing this process's claim on it. */
  defer(deferral: DeferralRecord): Promise<void>;
}
