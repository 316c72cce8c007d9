/**
 * The subscription changelog: one record per endpoint change, keyed by endpoint id on a compacted
 * topic, so the latest record of every endpoint is the dispatcher's view of it. A delete is a
 * tombstone (null value). Signing secrets and custom header values travel sealed (AES-256-GCM, the
 * `hl1:` format of `@hookline/sealing`), as the `endpoints` table holds them; only services holding
 * the keyring open them. The topic is still internal and should be restricted to Hookline's services.
 */

/** A signing secret and, for the one being rotated out, when it stops being used. */
export interface EndpointSecret {
  /** Sealed on the changelog; opened in the dispatcher's view. */
  readonly secret: string;
  /** Epoch milliseconds after which this secret no longer signs; absent for the current secret. */
  readonly expiresAt?: number;
}

/** Everything the dispatcher needs to deliver to an endpoint. */
export interface EndpointSnapshot {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  /** Subscribed patterns: exact types, `group.*` or `*`. */
  readonly events: readonly string[];
  /** Whether deliveries go out; a disabled endpoint receives nothing. */
  readonly active: boolean;
  /** Current secret first, then any being rotated out. */
  readonly secrets: readonly EndpointSecret[];
  /** Extra headers the customer asked for (values sealed on the changelog); they never override Hookline's own. */
  readonly headers: Readonly<Record<string, string>>;
  /** Increases with every change; a record older than the view's is ignored. */
  readonly version: number;
}

/** A changelog record's value. */
export interface EndpointChange {
  readonly kind: 'endpoint';
  readonly v: 1;
  readonly endpoint: EndpointSnapshot;
}

/** Serialises a changelog record. */
export function encodeEndpointChange(endpoint: EndpointSnapshot): Buffer {
  const change: EndpointChange = { kind: 'endpoint', v: 1, endpoint };
  return Buffer.from(JSON.stringify(change), 'utf8');
}

/** Outcome of decoding a changelog record; `deleted` for a tombstone. */
export type EndpointChangeDecodeResult =
  | { readonly ok: true; readonly change: { readonly kind: 'upsert'; readonly endpoint: EndpointSnapshot } }
  | { readonly ok: true; readonly change: { readonly kind: 'deleted'; readonly endpointId: string } }
  | { readonly ok: false; readonly message: string };

/** Parses a changelog record (`key` is the endpoint id; a null value is a delete). */
export function decodeEndpointChange(
  key: string,
  value: Uint8Array | string | null,
): EndpointChangeDecodeResult {
  if (value === null || value.length === 0) return { ok: true, change: { kind: 'deleted', endpointId: key } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : Buffer.from(value).toString('utf8'));
  } catch (error) {
    return { ok: false, message: `malformed JSON: ${(error as Error).message}` };
  }
  const change = parsed as Partial<EndpointChange> | null;
  if (change?.kind !== 'endpoint') return { ok: false, message: 'not an endpoint change' };
  if (change.v !== 1)
    return { ok: false, message: `endpoint change version ${JSON.stringify(change.v)} is not supported` };
  const endpoint = change.endpoint;
  if (
    !endpoint ||
    endpoint.id !== key ||
    typeof endpoint.tenantId !== 'string' ||
    typeof endpoint.url !== 'string' ||
    !Array.isArray(endpoint.events) ||
    !Array.isArray(endpoint.secrets) ||
    endpoint.secrets.length === 0 ||
    typeof endpoint.version !== 'number'
  ) {
    return { ok: false, message: 'endpoint snapshot is incomplete or does not match its key' };
  }
  return { ok: true, change: { kind: 'upsert', endpoint } };
}
