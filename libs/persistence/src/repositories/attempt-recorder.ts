import type { DeliveryStatus } from '../delivery-status';

/** One finished HTTP attempt, and the state its delivery is in afterwards. */
export interface AttemptRecord {
  deliveryId: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  /** 1 for the first attempt; (deliveryId, attemptNumber) identifies the attempt. */
  attemptNumber: number;
  /** Headers as sent; credentials are redacted before they are stored. */
  requestHeaders: Record<string, string>;
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

/** Stores delivery attempts. */
export interface AttemptRecorder {
  /**
   * Records an attempt and its delivery's new state; resolves once both are durable and rejects
   * when they could not be written. Recording the same attempt again changes nothing.
   */
  record(attempt: AttemptRecord): Promise<void>;
}
