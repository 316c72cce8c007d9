/** Every state a delivery can be in; the deliveries.status check constraint lists the same values. */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'awaiting_retry', 'failed', 'skipped'] as const;

/** State of one event's delivery to one endpoint. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Statuses after which no further attempt is made. */
export const TERMINAL_DELIVERY_STATUSES: ReadonlySet<DeliveryStatus> = new Set<DeliveryStatus>([
  'succeeded',
  'failed',
  'skipped',
]);

/** Whether no further attempt follows a delivery in `status`. */
export function isTerminalDeliveryStatus(status: DeliveryStatus): boolean {
  return TERMINAL_DELIVERY_STATUSES.has(status);
}
