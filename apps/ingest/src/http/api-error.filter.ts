import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { type ApiErrorType, type ApiProblem, apiProblem } from '../events/ingest-problem';

/**
 * The error body of a framework error (unknown route, unreadable body, and the answers the HTTP
 * server gives before any route runs), typed by its status.
 */
export function errorBody(status: number, message: string): { error: ApiProblem['error'] } {
  return { error: apiProblem(status, errorType(status), message).error };
}

function errorType(status: number): ApiErrorType {
  switch (status) {
    case 404:
      return 'not_found';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
  }
  return status >= 500 ? 'internal_error' : 'bad_request';
}

/**
 * Answers every error outside the events endpoint's own outcomes (unknown routes, oversized or
 * unreadable bodies, unexpected failures) with the same JSON error shape as the endpoint.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiErrorFilter');

  constructor(private readonly maxBodyBytes: number) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const problem = this.problemFor(exception);
    if (response.headersSent) return;
    response.status(problem.status).json({ error: problem.error });
  }

  private problemFor(exception: unknown): ApiProblem {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      switch (status) {
        case 404:
          return apiProblem(404, 'not_found', 'no such endpoint; events are sent with POST /v1/events');
        case 413:
          return apiProblem(
            413,
            'payload_too_large',
            `the request body is larger than the limit of ${this.maxBodyBytes} bytes`,
          );
      }
      if (status >= 400 && status < 500) return apiProblem(status, errorType(status), exception.message);
    }
    // Anything else is a fault of ours: log it, and tell the caller nothing about internals.
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return apiProblem(500, 'internal_error', 'internal error');
  }
}
