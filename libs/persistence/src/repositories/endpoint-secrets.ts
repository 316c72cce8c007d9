import type { EndpointSecret, EndpointSnapshot } from '@hookline/events';
import type { SecretSealer } from '@hookline/sealing';

/**
 * Which values of an endpoint are sealed at rest, and what each is bound to. The signing secret,
 * the secret kept through a rotation window and every custom header value are stored (in the
 * `endpoints` table and on the changelog) sealed with the keyring's active key, each bound to its
 * tenant, endpoint and field, so a sealed value copied into another row or field does not open.
 */

/** The fields of an endpoint that hold sealed values. */
export type EndpointSealedField = 'secret' | 'previous_secret' | `header:${string}`;

/** The associated data of one sealed endpoint field. */
export function endpointSealContext(
  tenantId: string,
  endpointId: string,
  field: EndpointSealedField,
): string {
  return `endpoint\u0000${tenantId}\u0000${endpointId}\u0000${field}`;
}

/** The field of a custom header's value; header names are case-insensitive, so is the binding. */
export function headerField(name: string): EndpointSealedField {
  return `header:${name.toLowerCase()}`;
}

/** Who an endpoint's sealed values belong to. */
export interface EndpointOwner {
  readonly tenantId: string;
  readonly id: string;
}

/** An endpoint's secret values, stored (sealed) or opened (plaintext), depending on who holds it. */
export interface EndpointSecretValues {
  readonly secret: string;
  readonly previousSecret: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** Seals every secret value of an endpoint with the active key. */
export function sealEndpointSecrets(
  sealer: SecretSealer,
  owner: EndpointOwner,
  values: EndpointSecretValues,
): EndpointSecretValues {
  const seal = (value: string, field: EndpointSealedField) =>
    sealer.seal(value, endpointSealContext(owner.tenantId, owner.id, field));
  return {
    secret: seal(values.secret, 'secret'),
    previousSecret: values.previousSecret === null ? null : seal(values.previousSecret, 'previous_secret'),
    headers: Object.fromEntries(
      Object.entries(values.headers).map(([name, value]) => [name, seal(value, headerField(name))]),
    ),
  };
}

/**
 * Opens every secret value of a stored endpoint. A value stored before sealing existed is returned as
 * it is (the seal command seals those); a sealed value that does not open throws `SealedValueError`.
 */
export function openEndpointSecrets(
  sealer: SecretSealer,
  endpoint: EndpointOwner & EndpointSecretValues,
): EndpointSecretValues {
  const open = (value: string, field: EndpointSealedField) =>
    sealer.reveal(value, endpointSealContext(endpoint.tenantId, endpoint.id, field)).value;
  return {
    secret: open(endpoint.secret, 'secret'),
    previousSecret:
      endpoint.previousSecret === null ? null : open(endpoint.previousSecret, 'previous_secret'),
    headers: openEndpointHeaders(sealer, endpoint),
  };
}

/** Opens a stored endpoint's custom header values only (what its API view shows). */
export function openEndpointHeaders(
  sealer: SecretSealer,
  endpoint: EndpointOwner & Pick<EndpointSecretValues, 'headers'>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(endpoint.headers ?? {}).map(([name, value]) => [
      name,
      sealer.reveal(value, endpointSealContext(endpoint.tenantId, endpoint.id, headerField(name))).value,
    ]),
  );
}

/** Whether every secret value of a stored endpoint is sealed with the active key. */
export function endpointSecretsCurrent(sealer: SecretSealer, endpoint: EndpointSecretValues): boolean {
  return [endpoint.secret, endpoint.previousSecret, ...Object.values(endpoint.headers ?? {})].every(
    (value) => value === null || sealer.isCurrent(value),
  );
}

/** An endpoint snapshot with its secrets and header values opened: what the dispatcher signs and sends with. */
export interface OpenedEndpointSnapshot extends EndpointSnapshot {
  /** Whether any value was still stored in plaintext (written before sealing; the seal command fixes it). */
  readonly legacyPlaintext: boolean;
}

/**
 * Opens a changelog snapshot's secrets (the current one first, then the one kept through a
 * rotation) and custom header values; throws `SealedValueError` when a sealed value does not open.
 */
export function openEndpointSnapshot(
  sealer: SecretSealer,
  snapshot: EndpointSnapshot,
): OpenedEndpointSnapshot {
  let legacyPlaintext = false;
  const open = (value: string, field: EndpointSealedField) => {
    const revealed = sealer.reveal(value, endpointSealContext(snapshot.tenantId, snapshot.id, field));
    if (revealed.kid === null) legacyPlaintext = true;
    return revealed.value;
  };
  const secrets: EndpointSecret[] = snapshot.secrets.map((entry, index) => ({
    ...entry,
    secret: open(entry.secret, index === 0 ? 'secret' : 'previous_secret'),
  }));
  const headers = Object.fromEntries(
    Object.entries(snapshot.headers ?? {}).map(([name, value]) => [name, open(value, headerField(name))]),
  );
  return { ...snapshot, secrets, headers, legacyPlaintext };
}
