import { fieldPath, findUnstorableText, type TextProblem } from '@hookline/events';
import type { MessageHandler } from '@nestjs/microservices';
import { throwError } from 'rxjs';
import { ValidationError } from '../errors/domain.errors';
import { describeGrpcFailure } from './grpc-error.mapper';
import { grpcErrorAnswer } from './grpc-exception.filter';
import { structPathAsJson } from './proto-values';

/** A gRPC method handler as the server calls it: request message, metadata, call. */
type GrpcMethodHandler = (request: unknown, ...call: unknown[]) => ReturnType<MessageHandler>;

/**
 * Every string of a request message that PostgreSQL cannot store, named by its field (`id`,
 * `metadata.region`; inside a Struct by the JSON path, `data.name`). Protobuf decoding already turns
 * invalid UTF-8 into U+FFFD, so what is left to find is U+0000.
 */
export function unstorableMessageText(message: unknown): TextProblem[] {
  return findUnstorableText(message, { fieldName: (path) => fieldPath(structPathAsJson(path)) });
}

/**
 * Wraps a method handler so that a request holding text that cannot be stored ends as
 * INVALID_ARGUMENT naming each field, in the same form as any other invalid input, before the method
 * runs (and after the caller is authenticated).
 */
export function refusingUnstorableText(handler: MessageHandler): MessageHandler {
  const handle = handler as GrpcMethodHandler;
  const checked: GrpcMethodHandler = async (request, ...call) => {
    const problems = unstorableMessageText(request);
    if (problems.length === 0) return handle(request, ...call);
    return throwError(() => grpcErrorAnswer(describeGrpcFailure(new ValidationError(problems))));
  };
  return checked as MessageHandler;
}
