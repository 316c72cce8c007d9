import type { Brand, SignatureScheme } from '@hookline/presets';
import { signSha256Hex, signStandardWebhooks } from '@hookline/signing';

/** What the headers of one attempt depend on. */
export interface DeliveryHeaderInput {
  readonly brand: Brand;
  readonly schemes: readonly SignatureScheme[];
  readonly eventId: string;
  readonly eventType: string;
  readonly deliveryId: string;
  /** The exact bytes sent. */
  readonly body: Buffer;
  /** Signing secrets in force, current first. */
  readonly secrets: readonly string[];
  /** The endpoint's own headers; they never override Hookline's. */
  readonly customHeaders: Readonly<Record<string, string>>;
  /** Unix seconds of this attempt. */
  readonly timestampSec: number;
}

/**
 * Headers of one attempt: the endpoint's custom headers, then Hookline's, which win on any clash
 * (compared case-insensitively). `X-<Brand>-Signature` is exactly the pages' `sha256=<hex>` with the
 * current secret; while a secret rotates, the previous secret's signature goes in
 * `X-<Brand>-Signature-Previous` and both are in `webhook-signature`.
 */
export function buildDeliveryHeaders(input: DeliveryHeaderInput): Record<string, string> {
  const prefix = input.brand.headerPrefix;
  const ours: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': input.brand.userAgent,
    [`${prefix}-Event-Type`]: input.eventType,
    [`${prefix}-Event-Id`]: input.eventId,
    [`${prefix}-Delivery`]: input.deliveryId,
  };
  if (input.schemes.includes('sha256-hex')) {
    ours[`${prefix}-Signature`] = signSha256Hex(input.body, input.secrets[0]);
    if (input.secrets.length > 1)
      ours[`${prefix}-Signature-Previous`] = signSha256Hex(input.body, input.secrets[1]);
  }
  if (input.schemes.includes('standard-webhooks')) {
    Object.assign(
      ours,
      signStandardWebhooks({
        id: input.eventId,
        timestamp: input.timestampSec,
        body: input.body,
        secrets: input.secrets,
      }),
    );
  }
  const reserved = new Set(Object.keys(ours).map((name) => name.toLowerCase()));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.customHeaders)) {
    const lower = name.toLowerCase();
    if (
      reserved.has(lower) ||
      RESERVED_NAMES.has(lower) ||
      lower.startsWith(`${prefix.toLowerCase()}-`) ||
      lower.startsWith('webhook-')
    ) {
      continue;
    }
    headers[name] = value;
  }
  return Object.assign(headers, ours);
}

// Headers that describe the transport; a customer's value would corrupt the request.
const RESERVED_NAMES = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);
