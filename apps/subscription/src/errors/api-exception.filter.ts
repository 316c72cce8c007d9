import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  DomainError,
  type DomainErrorKind,
  type FieldError,
  RateLimitedError,
  ValidationError,
} from './domain.errors';

/** The body of every error answer: `{ error: { type, message, fields? } }`. */
export interface ErrorBody {
  readonly error: {
    readonly type: string;
    readonly message: string;
    readonly fields?: readonly FieldError[];
  };
}

const DOMAIN_STATUS: Record<DomainErrorKind, { status: number; type: string }> = {
  not_found: { status: HttpStatus.NOT_FOUND, type: 'not_found' },
  validation: { status: HttpStatus.UNPROCESSABLE_ENTITY, type: 'validation_error' },
  conflict: { status: HttpStatus.CONFLICT, type: 'conflict' },
  unauthenticated: { status: HttpStatus.UNAUTHORIZED, type: 'unauthenticated' },
  rate_limited: { status: HttpStatus.TOO_MANY_REQUESTS, type: 'rate_limited' },
  unavailable: { status: HttpStatus.SERVICE_UNAVAILABLE, type: 'service_unavailable' },
  tenant_disabled: { status: HttpStatus.FORBIDDEN, type: 'tenant_disabled' },
};

const HTTP_TYPES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * Maps every error to one body shape and status: domain errors by kind, framework errors (unknown
 * route, malformed JSON) by their status, anything else to a 500 whose details stay in the log.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.describe(exception);
    if (status === HttpStatus.UNAUTHORIZED) response.setHeader('WWW-Authenticate', 'Bearer');
    if (status === HttpStatus.SERVICE_UNAVAILABLE) response.setHeader('Retry-After', '5');
    if (exception instanceof RateLimitedError) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    response.status(status).json(body);
  }

  private describe(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof DomainError) {
      const { status, type } = DOMAIN_STATUS[exception.kind];
      const fields = exception instanceof ValidationError ? { fields: exception.fields } : {};
      return { status, body: { error: { type, message: exception.message, ...fields } } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, body: errorBody(status, httpMessage(exception)) };
    }
    // The stack goes to the log only; the caller learns nothing about internals.
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: { type: 'internal_error', message: 'Internal error' } },
    };
  }
}

/**
 * The error body of a framework error (unknown route, malformed JSON, and the answers the HTTP
 * server gives before any route runs), typed by its status.
 */
export function errorBody(status: number, message: string): ErrorBody {
  const type = HTTP_TYPES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
  return { error: { type, message } };
}

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
