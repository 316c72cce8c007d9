import { type EndpointEntity, redactHeaders } from '@hookline/persistence';

/** An endpoint as callers see it: never its secrets, and credential-like header values redacted. */
export interface EndpointView {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly description: string | null;
  readonly events: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Custom headers; values of credential-like headers (`Authorization`, `*-Token`, …) are redacted. */
  readonly headers: Readonly<Record<string, string>>;
  readonly active: boolean;
  readonly disabledReason: string | null;
  /** When the endpoint was disabled, while it is. */
  readonly disabledAt: Date | null;
  /** Until when the secret replaced by the last rotation still signs, or `null`. */
  readonly previousSecretExpiresAt: Date | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** An endpoint together with its signing secret, shown only when the secret is created or rotated. */
export interface EndpointWithSecret {
  readonly endpoint: EndpointView;
  readonly secret: string;
}

/** An endpoint's signing secret as revealed to its tenant. */
export interface RevealedSecret {
  readonly secret: string;
  /** Until when the secret replaced by the last rotation still signs, or `null`. */
  readonly previousSecretExpiresAt: Date | null;
}

/** What `redactHeaders` puts in place of a credential-like header's value. */
export const REDACTED_HEADER_VALUE = redactHeaders({ authorization: 'x' }).authorization;

/** Whether `name` is a header whose value is shown redacted. */
export function isRedactedHeader(name: string): boolean {
  return redactHeaders({ [name]: 'x' })[name] !== 'x';
}

/** The caller's view of a stored endpoint at `now`; `headers` are its custom headers opened. */
export function toEndpointView(
  endpoint: EndpointEntity,
  headers: Readonly<Record<string, string>>,
  now: Date,
): EndpointView {
  const previousExpiresAt = endpoint.previousSecretExpiresAt;
  return {
    id: endpoint.id,
    tenantId: endpoint.tenantId,
    url: endpoint.url,
    description: endpoint.description,
    events: [...endpoint.events],
    metadata: { ...endpoint.metadata },
    headers: redactHeaders({ ...headers }),
    active: endpoint.active,
    disabledReason: endpoint.disabledReason,
    disabledAt: endpoint.disabledAt,
    previousSecretExpiresAt:
      endpoint.previousSecret && previousExpiresAt && previousExpiresAt.getTime() > now.getTime()
        ? previousExpiresAt
        : null,
    version: endpoint.version,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}
