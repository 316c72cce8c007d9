import { status } from '@grpc/grpc-js';
import { HttpException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import {
  DomainError,
  type DomainErrorKind,
  type FieldError,
  RateLimitedError,
  ValidationError,
} from '../errors/domain.errors';

/** A failure the gRPC transport decides itself, e.g. a service that is switched off. */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How a failure is answered. `expected` failures are the caller's to handle and are not logged;
 * `dependency` ones (Kafka or Postgres down) are logged without a stack; `bug` ones with their stack,
 * and the caller learns nothing about them.
 */
export type GrpcFailure =
  | {
      readonly kind: 'expected';
      readonly code: status;
      readonly message: string;
      /** Every invalid field, for INVALID_ARGUMENT. */
      readonly fields?: readonly FieldError[];
      /** Seconds until the caller may try again, for RESOURCE_EXHAUSTED. */
      readonly retryAfterSeconds?: number;
    }
  | { readonly kind: 'dependency'; readonly code: status.UNAVAILABLE; readonly message: string }
  | { readonly kind: 'bug'; readonly code: status.INTERNAL; readonly message: string };

const DOMAIN_CODES: Record<DomainErrorKind, status> = {
  validation: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  unauthenticated: status.UNAUTHENTICATED,
  rate_limited: status.RESOURCE_EXHAUSTED,
  conflict: status.FAILED_PRECONDITION,
  unavailable: status.UNAVAILABLE,
  tenant_disabled: status.PERMISSION_DENIED,
};

const HTTP_CODES: Readonly<Record<number, status>> = {
  400: status.INVALID_ARGUMENT,
  401: status.UNAUTHENTICATED,
  403: status.PERMISSION_DENIED,
  404: status.NOT_FOUND,
  409: status.FAILED_PRECONDITION,
  422: status.INVALID_ARGUMENT,
  429: status.RESOURCE_EXHAUSTED,
  501: status.UNIMPLEMENTED,
  503: status.UNAVAILABLE,
};

// The use cases name some fields as the REST query string spells them; gRPC callers know other names.
const GRPC_FIELD_NAMES: Readonly<Record<string, string>> = {
  'created[gte]': 'created_gte',
  'created[lte]': 'created_lte',
};

/** Message of every `bug` failure: internals stay in the log. */
export const INTERNAL_MESSAGE = 'Internal error';
/** Message of a `dependency` failure. */
export const UNAVAILABLE_MESSAGE =
  'The service cannot reach its database or Kafka right now. Try again shortly.';

/** Decides the status code and message of any failure a gRPC call ends with. */
export function describeGrpcFailure(exception: unknown): GrpcFailure {
  if (exception instanceof ValidationError) {
    const fields = exception.fields.map((field) => ({
      field: grpcFieldNames(field.field),
      message: grpcFieldNames(field.message),
    }));
    return {
      kind: 'expected',
      code: status.INVALID_ARGUMENT,
      message: grpcFieldNames(exception.message),
      fields,
    };
  }
  if (exception instanceof RateLimitedError) {
    return {
      kind: 'expected',
      code: status.RESOURCE_EXHAUSTED,
      message: exception.message,
      retryAfterSeconds: exception.retryAfterSeconds,
    };
  }
  if (exception instanceof DomainError) {
    return { kind: 'expected', code: DOMAIN_CODES[exception.kind], message: exception.message };
  }
  if (exception instanceof GrpcStatusError) {
    return { kind: 'expected', code: exception.code, message: exception.message };
  }
  if (exception instanceof RpcException) {
    const error = exception.getError();
    if (typeof error === 'object' && error !== null && isStatus((error as { code?: unknown }).code)) {
      const { code, message } = error as { code: status; message?: unknown };
      return { kind: 'expected', code, message: typeof message === 'string' ? message : exception.message };
    }
  }
  if (exception instanceof HttpException) {
    const code = HTTP_CODES[exception.getStatus()];
    if (code !== undefined) return { kind: 'expected', code, message: exception.message };
  }
  if (isDependencyFailure(exception)) {
    return { kind: 'dependency', code: status.UNAVAILABLE, message: UNAVAILABLE_MESSAGE };
  }
  return { kind: 'bug', code: status.INTERNAL, message: INTERNAL_MESSAGE };
}

/** `text` with the field names the use cases use for REST query parameters replaced by the gRPC ones. */
export function grpcFieldNames(text: string): string {
  let renamed = text;
  for (const [rest, grpcName] of Object.entries(GRPC_FIELD_NAMES))
    renamed = renamed.replaceAll(rest, grpcName);
  return renamed;
}

// Socket failures, and SQLSTATE classes of a lost or refused Postgres connection: 08 (connection
// exception), 57P01–57P03 (server shutting down or starting), 53300 (too many connections).
const UNAVAILABLE_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
// Errors node-postgres raises without a code when its connection or pool gives up.
const UNAVAILABLE_MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/i];

/**
 * Whether an error says Postgres or Kafka could not be reached (rather than that the request or the
 * code is wrong), so the caller may retry later.
 */
export function isDependencyFailure(error: unknown): boolean {
  let current = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (saysUnreachable(current)) return true;
    current = (current as { driverError?: unknown }).driverError ?? current.cause;
  }
  return false;
}

function saysUnreachable(error: Error): boolean {
  // kafkajs names every error it raises KafkaJS…; those that reach a use case mean Kafka did not answer.
  if (error.name.startsWith('KafkaJS')) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_ERROR_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) {
    return true;
  }
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

function isStatus(code: unknown): code is status {
  return typeof code === 'number' && Number.isInteger(code) && code > 0 && code <= status.UNAUTHENTICATED;
}
