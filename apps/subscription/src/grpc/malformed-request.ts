import {
  type MethodDefinition,
  Server,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { MessageHandler } from '@nestjs/microservices';
import { throwError } from 'rxjs';
import { ValidationError } from '../errors/domain.errors';
import { describeGrpcFailure } from './grpc-error.mapper';
import { grpcErrorAnswer } from './grpc-exception.filter';

/** A request whose bytes are not a message of the method's request type, standing in for it. */
export class MalformedMessage {
  constructor(
    /** The method's name, e.g. `CreateEndpoint`. */
    readonly method: string,
    /** What the protobuf decoder said, e.g. `invalid wire type 7 at offset 3`. */
    readonly reason: string,
  ) {}

  /** The error the call ends with: INVALID_ARGUMENT naming the problem. */
  toError(): ValidationError {
    return new ValidationError(
      [{ field: '$', message: `is not a valid ${this.method} request message: ${this.reason}` }],
      `The request is not a valid ${this.method} request message: ${this.reason}`,
    );
  }
}

/**
 * A gRPC server whose methods receive a `MalformedMessage` instead of failing when the request bytes
 * do not decode (truncated, wrong wire types, nesting past the decoder's limit). grpc-js would answer
 * those with INTERNAL, which says the server is at fault; `refusingMalformedMessages` answers them
 * with INVALID_ARGUMENT instead.
 */
export class MalformedTolerantServer extends Server {
  override addService(service: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    const tolerant: Record<string, MethodDefinition<unknown, unknown>> = {};
    for (const [name, method] of Object.entries(service) as Array<
      [string, MethodDefinition<unknown, unknown>]
    >) {
      tolerant[name] = {
        ...method,
        requestDeserialize: (bytes: Buffer) => {
          try {
            return method.requestDeserialize(bytes);
          } catch (error) {
            return new MalformedMessage(name, decoderReason(error));
          }
        },
      };
    }
    super.addService(tolerant as ServiceDefinition, implementation);
  }
}

/** Wraps a method handler so that a `MalformedMessage` ends the call as INVALID_ARGUMENT, unhandled. */
export function refusingMalformedMessages(handler: MessageHandler): MessageHandler {
  const handle = handler as (request: unknown, ...call: unknown[]) => ReturnType<MessageHandler>;
  const checked = async (request: unknown, ...call: unknown[]) => {
    if (!(request instanceof MalformedMessage)) return handle(request, ...call);
    return throwError(() => grpcErrorAnswer(describeGrpcFailure(request.toError())));
  };
  return checked as MessageHandler;
}

// protobufjs's messages name the offset and the wire type or limit, never the bytes themselves.
function decoderReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/[^\x20-\x7e]/g, '?').slice(0, 200) || 'it could not be decoded';
}
