/**
 * Errors the use cases raise. They say what went wrong in domain terms; the REST exception filter
 * (and any other transport) decides how each is shown to the caller.
 */

/** One invalid input field and why, e.g. `{ field: 'events[1]', message: 'unknown event type' }`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** Every domain error kind. */
export type DomainErrorKind =
  | 'not_found'
  | 'validation'
  | 'conflict'
  | 'unauthenticated'
  | 'rate_limited'
  | 'unavailable'
  | 'tenant_disabled';

/** Base of the errors use cases raise on purpose; anything else is a bug. */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
}

/**
 * The resource does not exist for this tenant. Another tenant's resource raises exactly this too,
 * so a caller cannot learn which ids exist elsewhere.
 */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';

  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`No such ${resource}: ${id}`);
  }
}

/** The input is invalid; `fields` names every bad field at once. */
export class ValidationError extends DomainError {
  readonly kind = 'validation';

  constructor(
    readonly fields: readonly FieldError[],
    message = describeFields(fields),
  ) {
    super(message);
  }
}

/** The request is valid but clashes with the resource's current state. */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** The caller did not prove who it is. */
export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
}

/**
 * The caller's address (or the key prefix it sent) made too many failed authentications lately; the
 * credentials were not even checked.
 */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited';

  constructor(
    /** Whole seconds until the caller may try again. */
    readonly retryAfterSeconds: number,
  ) {
    super(
      `Too many failed authentications from this address or for this key; retry in ${retryAfterSeconds} s`,
    );
  }
}

/** A dependency (Kafka) failed; nothing was changed and the request may be retried. */
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

/** The caller's tenant is disabled by the operator: its API keys and portal sessions are refused. */
export class TenantDisabledError extends DomainError {
  readonly kind = 'tenant_disabled';

  constructor(readonly tenantId: string) {
    super(`The tenant ${tenantId} is disabled`);
  }
}

/** Collects field errors while a whole input is checked, so the caller hears about all of them. */
export class FieldErrors {
  private readonly errors: FieldError[] = [];

  /** Records that `field` is invalid. */
  add(field: string, message: string): void {
    // A body may hold a member named "" (valid JSON); an empty field path would name nothing.
    this.errors.push({ field: field === '' ? '""' : field, message });
  }

  /** Whether any error was recorded. */
  get any(): boolean {
    return this.errors.length > 0;
  }

  /** Throws a `ValidationError` with every recorded error, if there is one. */
  throwIfAny(): void {
    if (this.errors.length > 0) throw new ValidationError([...this.errors]);
  }
}

function describeFields(fields: readonly FieldError[]): string {
  if (fields.length === 0) return 'Invalid request';
  return `Invalid request: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`;
}
