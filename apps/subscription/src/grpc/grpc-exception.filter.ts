import type { Metadata } from '@grpc/grpc-js';
import { type ArgumentsHost, Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { describeFailure } from '@hookline/observability';
import { type Observable, throwError } from 'rxjs';
import { describeGrpcFailure, type GrpcFailure } from './grpc-error.mapper';
import { withinMetadataLimits } from './grpc-metadata-limits';
import { badRequestTrailers, retryInfoTrailers } from './grpc-status-details';

/** What the gRPC server sends for a failed call: status code, details text and trailers. */
export interface GrpcErrorAnswer extends Error {
  readonly code: number;
  readonly details: string;
  readonly metadata?: Metadata;
}

/**
 * Ends every failed gRPC call with a status code (see `describeGrpcFailure`): invalid input as
 * INVALID_ARGUMENT with a `google.rpc.BadRequest` in the trailers, unreachable dependencies as
 * UNAVAILABLE, bugs as INTERNAL with the details in the log only.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('GrpcApi');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const failure = describeGrpcFailure(exception);
    const call = describeCall(host);
    if (failure.kind === 'dependency') {
      this.logger.warn(`${call} failed, a dependency is unavailable: ${describeFailure(exception)}`);
    } else if (failure.kind === 'bug') {
      const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
      this.logger.error(`${call} failed: ${detail}`);
    }
    return throwError(() => grpcErrorAnswer(failure));
  }
}

/**
 * The error a failed call ends with: its status code, message and, for invalid input, the field
 * violations, or, for a braked caller, when to retry.
 */
export function grpcErrorAnswer(unbounded: GrpcFailure): GrpcErrorAnswer {
  const failure = withinMetadataLimits(unbounded);
  return Object.assign(new Error(failure.message), {
    code: failure.code,
    details: failure.message,
    ...(failure.kind === 'expected' && failure.fields
      ? { metadata: badRequestTrailers(failure.code, failure.message, failure.fields) }
      : {}),
    ...(failure.kind === 'expected' && failure.retryAfterSeconds !== undefined
      ? { metadata: retryInfoTrailers(failure.code, failure.message, failure.retryAfterSeconds) }
      : {}),
  });
}

function describeCall(host: ArgumentsHost): string {
  const handler = host.getType() === 'rpc' ? host.getArgByIndex<{ getPath?(): string }>(2) : undefined;
  return handler?.getPath?.() ?? 'gRPC call';
}
