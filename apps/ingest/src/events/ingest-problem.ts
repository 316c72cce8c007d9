import type { IngestOutcome } from './ingest-events.usecase';
import type { FieldProblem } from './ingest-body.reader';

/** Machine-readable kind of every error the ingest API answers with. */
export type ApiErrorType =
  | 'authentication_failed'
  | 'rate_limited'
  | 'malformed_json'
  | 'unsupported_media_type'
  | 'invalid_header'
  | 'payload_too_large'
  | 'batch_too_large'
  | 'validation_failed'
  | 'missing_tenant'
  | 'unknown_tenant'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_use'
  | 'service_unavailable'
  | 'not_found'
  | 'method_not_allowed'
  | 'bad_gateway'
  | 'bad_request'
  | 'internal_error';

/** The `error` object of every error body, and the reason attached to a refused ingest-topic message. */
export interface ApiErrorDetail {
  readonly type: ApiErrorType;
  readonly message: string;
  readonly fields?: readonly FieldProblem[];
}

/** An error answer: HTTP status and its detail. */
export interface ApiProblem {
  readonly status: number;
  readonly error: ApiErrorDetail;
}

/** Builds an error answer. */
export function apiProblem(
  status: number,
  type: ApiErrorType,
  message: string,
  fields?: readonly FieldProblem[],
): ApiProblem {
  return { status, error: fields && fields.length > 0 ? { type, message, fields } : { type, message } };
}

/** The error answer for every outcome other than `accepted`; shared by the HTTP and Kafka adapters. */
export function problemOf(outcome: Exclude<IngestOutcome, { kind: 'accepted' }>): ApiProblem {
  switch (outcome.kind) {
    case 'invalid':
      return apiProblem(422, 'validation_failed', outcome.message, outcome.fields);
    case 'too-many-events':
      return apiProblem(
        413,
        'batch_too_large',
        `the batch has ${outcome.count} events; the limit is ${outcome.limit}`,
        [{ field: 'events', message: `must contain at most ${outcome.limit} events` }],
      );
    case 'idempotency-conflict':
      return apiProblem(
        409,
        'idempotency_key_reused',
        `idempotency key ${JSON.stringify(outcome.key)} was already used for a different request; use a new key for a new request`,
        [{ field: outcome.field, message: 'was already used for a different request' }],
      );
    case 'idempotency-in-flight':
      return apiProblem(
        409,
        'idempotency_key_in_use',
        `a request with idempotency key ${JSON.stringify(outcome.key)} is still being processed; retry shortly`,
      );
    case 'unavailable':
      // The cause stays in the log: it names internal hosts that callers have no use for.
      return apiProblem(
        503,
        'service_unavailable',
        outcome.dependency === 'kafka'
          ? 'events could not be written to the event log; nothing was accepted, retry later'
          : 'the database is unavailable; nothing was accepted, retry later',
      );
  }
}
