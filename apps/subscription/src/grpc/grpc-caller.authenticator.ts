import { type Metadata, status } from '@grpc/grpc-js';
import { Injectable, Logger } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { describeFailure } from '@hookline/observability';
import { throwError } from 'rxjs';
import { ClientAddresses } from '../auth/client-addresses';
import { OperatorTokenAuthenticator } from '../auth/operator-token.authenticator';
import { readOnlyRefusal, TenantCallerAuthenticator } from '../portal/tenant-caller.authenticator';
import { describeGrpcFailure, GrpcStatusError } from './grpc-error.mapper';
import { grpcErrorAnswer } from './grpc-exception.filter';

/** Metadata key carrying the credentials, as the `Authorization` header does over HTTP. */
export const AUTHORIZATION_METADATA_KEY = 'authorization';

/** Which credentials a service's methods need. */
type Access = 'operator' | 'tenant' | 'none';

/**
 * The credentials each service of `admin.proto` needs. A service missing here stops the server from
 * starting, so a new one cannot go out unguarded.
 */
const SERVICE_ACCESS: Readonly<Record<string, Exclude<Access, 'none'>>> = {
  OperatorService: 'operator',
  EndpointService: 'tenant',
  EventService: 'tenant',
  DeliveryService: 'tenant',
};

/** Methods any caller may use without credentials, as `Service/Method`. None. */
export const UNAUTHENTICATED_METHODS: ReadonlySet<string> = new Set<string>();

/** Methods of tenant services a read-only portal session may call: the reads. */
const READ_METHOD = /^(Get|List)[A-Z]/;

/**
 * Reads a read-only portal session may not make, as `Service/Method`: the signing secret, with which
 * one could sign requests (as `RefusedToReadOnly` marks it over REST).
 */
const REFUSED_TO_READ_ONLY: ReadonlySet<string> = new Set(['EndpointService/GetEndpointSecret']);

/** Who an admitted call comes from. */
export type GrpcCaller =
  | { readonly kind: 'operator' }
  | { readonly kind: 'tenant'; readonly tenantId: string; readonly keyId: string }
  | { readonly kind: 'anonymous' };

/** A gRPC method handler as the server calls it: request message, metadata, call. */
type GrpcMethodHandler = (request: unknown, metadata: Metadata, call: { getPeer(): string }) => unknown;

// Filled by the gate before a method runs, read by the method: the metadata object is the call's own.
const admittedCallers = new WeakMap<Metadata, GrpcCaller>();

/**
 * The tenant an admitted call acts for. Only methods of tenant services may ask; anything else is a
 * bug and fails the call (INTERNAL), never opens it.
 */
export function callerTenantId(metadata: Metadata): string {
  const caller = admittedCallers.get(metadata);
  if (caller?.kind !== 'tenant') throw new Error('the call was not admitted as a tenant call');
  return caller.tenantId;
}

/**
 * The one place gRPC calls are authenticated: every method handler is wrapped by `guard` when the
 * server registers it, so each call is checked before its method runs, with the same rules, messages
 * and brake as REST. `OperatorService` takes the admin token (UNIMPLEMENTED when none is configured,
 * as if the service did not exist); every other service a tenant API key or portal session token.
 */
@Injectable()
export class GrpcCallerGate {
  private readonly logger = new Logger('GrpcApi');

  constructor(
    private readonly tenants: TenantCallerAuthenticator,
    private readonly operators: OperatorTokenAuthenticator,
    private readonly addresses: ClientAddresses,
  ) {}

  /** Wraps the handler of the method `pattern` names; throws when its service has no access rule. */
  guard(pattern: unknown, handler: MessageHandler): MessageHandler {
    const { service, rpc } = methodOf(pattern);
    const access: Access | undefined = UNAUTHENTICATED_METHODS.has(`${service}/${rpc}`)
      ? 'none'
      : SERVICE_ACCESS[service];
    if (access === undefined) {
      throw new Error(`gRPC service ${service} has no access rule (SERVICE_ACCESS); refusing to serve it`);
    }
    const handle = handler as unknown as GrpcMethodHandler;
    const guarded: GrpcMethodHandler = async (request, metadata, call) => {
      let caller: GrpcCaller;
      try {
        caller = await this.admit(access, service, rpc, metadata, call.getPeer());
      } catch (error) {
        return throwError(() => grpcErrorAnswer(this.failure(`${service}/${rpc}`, error)));
      }
      admittedCallers.set(metadata, caller);
      return handle(request, metadata, call);
    };
    return guarded as unknown as MessageHandler;
  }

  private async admit(
    access: Access,
    service: string,
    rpc: string,
    metadata: Metadata,
    peer: string,
  ): Promise<GrpcCaller> {
    if (access === 'none') return { kind: 'anonymous' };
    const caller = { address: this.addresses.ofGrpc(peer, metadata) };
    if (access === 'tenant') {
      // An API key or a customer portal session token; a read-only session may only read.
      const tenant = await this.tenants.authenticate(authorization(metadata), caller);
      if (tenant.readOnly && (!READ_METHOD.test(rpc) || REFUSED_TO_READ_ONLY.has(`${service}/${rpc}`))) {
        throw new GrpcStatusError(status.PERMISSION_DENIED, readOnlyRefusal(rpc));
      }
      return { kind: 'tenant', tenantId: tenant.tenantId, keyId: tenant.keyId };
    }
    if ((await this.operators.authenticate(authorization(metadata), caller)) === 'disabled') {
      throw new GrpcStatusError(status.UNIMPLEMENTED, 'The operator service is not enabled');
    }
    return { kind: 'operator' };
  }

  private failure(method: string, error: unknown) {
    const failure = describeGrpcFailure(error);
    if (failure.kind === 'dependency') {
      this.logger.warn(
        `${method}: authentication failed, a dependency is unavailable: ${describeFailure(error)}`,
      );
    } else if (failure.kind === 'bug') {
      this.logger.error(`${method}: authentication failed: ${describeFailure(error)}`);
    }
    return failure;
  }
}

// Binary metadata cannot hold a bearer token; several values are ambiguous and count as malformed.
function authorization(metadata: Metadata): string | undefined {
  const values = metadata.get(AUTHORIZATION_METADATA_KEY);
  if (values.length === 0) return undefined;
  return values.length === 1 && typeof values[0] === 'string' ? values[0] : 'malformed';
}

// The framework registers each method under `{ service, rpc, streaming }`, as an object or its JSON.
function methodOf(pattern: unknown): { service: string; rpc: string } {
  const parsed: unknown = typeof pattern === 'string' ? JSON.parse(pattern) : pattern;
  const { service, rpc } = (parsed ?? {}) as { service?: unknown; rpc?: unknown };
  if (typeof service !== 'string' || typeof rpc !== 'string') {
    throw new Error(`not a gRPC method pattern: ${JSON.stringify(pattern)}`);
  }
  return { service, rpc };
}
