/**
 * Hookline's events about itself, on the operational topic, for the operators' own tooling (and,
 * later, for customers who subscribe to them). Versioned like the other internal messages.
 */

/** The operational event types. */
export type OperationalEventType = 'webhook.delivery.exhausted' | 'endpoint.disabled';

/** One operational event. */
export interface OperationalEvent {
  readonly kind: 'operational';
  readonly v: 1;
  readonly type: OperationalEventType;
  readonly tenantId: string;
  /** Epoch milliseconds. */
  readonly occurredAt: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Serialises an operational event. */
export function encodeOperationalEvent(event: Omit<OperationalEvent, 'kind' | 'v'>): Buffer {
  const message: OperationalEvent = { kind: 'operational', v: 1, ...event };
  return Buffer.from(JSON.stringify(message), 'utf8');
}

/** A delivery set aside on the dead-letter topic, with what happened to it. */
export interface DeadLetter {
  readonly kind: 'dead-letter';
  readonly v: 1;
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly tenantId: string;
  readonly endpointId: string;
  /** Attempts made. */
  readonly attempts: number;
  /** Why the last attempt failed. */
  readonly reason: string;
  /** Every attempt, oldest first. */
  readonly history: ReadonlyArray<{
    readonly attempt: number;
    readonly statusCode: number | null;
    readonly errorClass: string | null;
    readonly at: string;
  }>;
  /** Epoch milliseconds. */
  readonly deadLetteredAt: number;
}

/** Serialises a dead letter. */
export function encodeDeadLetter(letter: Omit<DeadLetter, 'kind' | 'v'>): Buffer {
  const message: DeadLetter = { kind: 'dead-letter', v: 1, ...letter };
  return Buffer.from(JSON.stringify(message), 'utf8');
}
