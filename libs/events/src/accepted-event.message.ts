import type { WebhookEvent } from './webhook-event.envelope';

/**
 * What ingest writes to a per-type event topic once it has accepted an event: the envelope as
 * customers will see it (without `pending_webhooks`, which only the dispatcher knows) plus the
 * tenant it belongs to and when it was accepted. Versioned like the delivery tasks: decoders refuse
 * a `v` they do not know.
 */
export interface AcceptedEvent {
  readonly kind: 'event';
  readonly v: 1;
  /** Owner of the event; only this tenant's endpoints receive it. */
  readonly tenantId: string;
  /** Epoch milliseconds when ingest accepted the event (end-to-end latency starts here). */
  readonly acceptedAt: number;
  /** The envelope, `created` already rendered in the deployment's format. */
  readonly event: Omit<WebhookEvent, 'pending_webhooks'>;
}

/** Outcome of decoding an accepted-event message. */
export type AcceptedEventDecodeResult =
  { readonly ok: true; readonly value: AcceptedEvent } | { readonly ok: false; readonly message: string };

/** Serialises an accepted event for its topic. */
export function encodeAcceptedEvent(value: AcceptedEvent): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Parses and checks an accepted-event message; the envelope itself was validated by ingest. */
export function decodeAcceptedEvent(bytes: Uint8Array | string): AcceptedEventDecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    return { ok: false, message: `malformed JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null)
    return { ok: false, message: 'message is not a JSON object' };
  const candidate = parsed as Partial<AcceptedEvent>;
  if (candidate.kind !== 'event')
    return { ok: false, message: `unknown kind ${JSON.stringify(candidate.kind)}` };
  if (candidate.v !== 1)
    return { ok: false, message: `event message version ${JSON.stringify(candidate.v)} is not supported` };
  if (typeof candidate.tenantId !== 'string' || candidate.tenantId === '')
    return { ok: false, message: 'tenantId is missing' };
  if (typeof candidate.acceptedAt !== 'number') return { ok: false, message: 'acceptedAt is missing' };
  const event = candidate.event;
  if (
    typeof event !== 'object' ||
    event === null ||
    typeof event.id !== 'string' ||
    typeof event.type !== 'string'
  ) {
    return { ok: false, message: 'event envelope is missing its id or type' };
  }
  return { ok: true, value: candidate as AcceptedEvent };
}

/**
 * The exact body sent to endpoints: the envelope with `pending_webhooks`, in the field order of the
 * reference pages. Rendered once per event and shared by all its deliveries, so every signature is
 * over the bytes actually sent.
 */
export function renderDeliveryBody(
  event: Omit<WebhookEvent, 'pending_webhooks'>,
  pendingWebhooks: number,
): Buffer {
  const body: WebhookEvent = {
    id: event.id,
    type: event.type,
    created: event.created,
    api_version: event.api_version,
    data: event.data,
    previous_attributes: event.previous_attributes,
    request: event.request,
    livemode: event.livemode,
    pending_webhooks: pendingWebhooks,
  };
  return Buffer.from(JSON.stringify(body), 'utf8');
}
