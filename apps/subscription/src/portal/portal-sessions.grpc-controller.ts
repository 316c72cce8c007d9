import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { requireIds } from '../grpc/admin.requests';
import { GrpcExceptionFilter } from '../grpc/grpc-exception.filter';
import { toTimestamp, type TimestampMessage } from '../grpc/proto-values';
import { TenantsService } from '../tenants/tenants.service';
import { PortalSessionsService } from './portal-sessions.service';

/** `CreatePortalSessionRequest` as decoded (`optional` scalars absent when unset). */
export interface CreatePortalSessionRequest {
  readonly tenant_id: string;
  readonly read_only?: boolean;
  readonly ttl_seconds?: number;
}

/** `PortalSession` as written. */
export interface PortalSessionMessage {
  readonly id: string;
  readonly tenant_id: string;
  readonly read_only: boolean;
  readonly url: string;
  readonly token: string;
  readonly expires_at: TimestampMessage;
}

/**
 * `hookline.admin.v1.OperatorService/CreatePortalSession`: the gRPC twin of
 * `POST /v1/admin/tenants/{id}/portal-sessions`. Reached only with the admin token (`GrpcCallerGate`).
 */
@UseFilters(GrpcExceptionFilter)
@Controller()
export class PortalSessionsGrpcController {
  constructor(
    private readonly sessions: PortalSessionsService,
    private readonly tenants: TenantsService,
  ) {}

  @GrpcMethod('OperatorService', 'CreatePortalSession')
  async createPortalSession(request: CreatePortalSessionRequest): Promise<PortalSessionMessage> {
    requireIds({ tenant_id: request.tenant_id });
    // A gRPC call does not say where the portal is served: the link is absolute with PORTAL_PUBLIC_URL only.
    const session = await this.sessions.create(
      await this.tenants.resolve(request.tenant_id),
      { read_only: request.read_only, ttl_seconds: request.ttl_seconds },
      undefined,
    );
    return {
      id: session.id,
      tenant_id: session.tenantId,
      read_only: session.readOnly,
      url: session.url,
      token: session.token,
      expires_at: toTimestamp(session.expiresAt),
    };
  }
}
