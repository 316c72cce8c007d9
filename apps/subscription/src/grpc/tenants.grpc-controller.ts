import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { OperatorKeysService } from '../keys/operator-keys.service';
import { FieldErrors } from '../errors/domain.errors';
import { TenantsService } from '../tenants/tenants.service';
import type {
  DeleteTenantResponse,
  DisableTenantRequest,
  ListOperatorKeysResponse,
  ListTenantsRequest,
  ListTenantsResponse,
  MintedOperatorKeyMessage,
  MintOperatorKeyRequest,
  OperatorKeyMessage,
  TenantMessage,
  TenantRefRequest,
  UpdateTenantRequest,
} from './admin.messages';
import { presentOperatorKey, presentTenant } from './admin.presenters';
import { requireIds } from './admin.requests';
import { GrpcExceptionFilter } from './grpc-exception.filter';

const SERVICE = 'OperatorService';
const UPDATABLE = ['name', 'uid', 'metadata'] as const;

/**
 * `hookline.admin.v1.OperatorService`: tenant administration and operator keys, the twins of
 * `/v1/admin/tenants…` and `/v1/admin/operator-keys`. Reached only with operator credentials.
 */
@UseFilters(GrpcExceptionFilter)
@Controller()
export class TenantsGrpcController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly operatorKeys: OperatorKeysService,
  ) {}

  @GrpcMethod(SERVICE, 'ListTenants')
  async listTenants(request: ListTenantsRequest): Promise<ListTenantsResponse> {
    const page = await this.tenants.list({
      ...(request.limit === 0 ? {} : { limit: request.limit }),
      ...(request.starting_after === '' ? {} : { startingAfter: request.starting_after }),
      disabled: request.disabled,
    });
    return { tenants: page.items.map(presentTenant), has_more: page.hasMore };
  }

  @GrpcMethod(SERVICE, 'GetTenant')
  async getTenant(request: TenantRefRequest): Promise<TenantMessage> {
    requireIds({ id: request.id });
    return presentTenant(await this.tenants.get(request.id));
  }

  @GrpcMethod(SERVICE, 'UpdateTenant')
  async updateTenant(request: UpdateTenantRequest): Promise<TenantMessage> {
    requireIds({ id: request.id });
    const paths = request.update_mask?.paths ?? [];
    const errors = new FieldErrors();
    paths.forEach((path, index) => {
      if (!(UPDATABLE as readonly string[]).includes(path))
        errors.add(`update_mask.paths[${index}]`, `must be one of ${UPDATABLE.join(', ')}`);
    });
    errors.throwIfAny();
    const named = (field: string) => paths.includes(field);
    const body: Record<string, unknown> = {};
    if (paths.length === 0) {
      if (request.name !== undefined) body.name = request.name;
      if (request.uid !== undefined) body.uid = request.uid;
      if (Object.keys(request.metadata).length > 0) body.metadata = request.metadata;
    } else {
      if (named('name')) body.name = request.name ?? '';
      if (named('uid')) body.uid = request.uid ?? null;
      if (named('metadata')) body.metadata = request.metadata;
    }
    return presentTenant(await this.tenants.update(request.id, body));
  }

  @GrpcMethod(SERVICE, 'DisableTenant')
  async disableTenant(request: DisableTenantRequest): Promise<TenantMessage> {
    requireIds({ id: request.id });
    return presentTenant(await this.tenants.disable(request.id, { reason: request.reason ?? null }));
  }

  @GrpcMethod(SERVICE, 'EnableTenant')
  async enableTenant(request: TenantRefRequest): Promise<TenantMessage> {
    requireIds({ id: request.id });
    return presentTenant(await this.tenants.enable(request.id));
  }

  @GrpcMethod(SERVICE, 'DeleteTenant')
  async deleteTenant(request: TenantRefRequest): Promise<DeleteTenantResponse> {
    requireIds({ id: request.id });
    const deleted = await this.tenants.delete(request.id);
    return { id: deleted.id, deleted: true, endpoints_deleted: deleted.endpointsDeleted };
  }

  @GrpcMethod(SERVICE, 'MintOperatorKey')
  async mintOperatorKey(request: MintOperatorKeyRequest): Promise<MintedOperatorKeyMessage> {
    // An empty name is how protobuf sends none; the use case then says it is required.
    const minted = await this.operatorKeys.mint(request.name === '' ? {} : { name: request.name });
    return { operator_key: presentOperatorKey(minted.operatorKey), key: minted.key };
  }

  @GrpcMethod(SERVICE, 'ListOperatorKeys')
  async listOperatorKeys(_request: unknown): Promise<ListOperatorKeysResponse> {
    return { operator_keys: (await this.operatorKeys.list()).map(presentOperatorKey) };
  }

  @GrpcMethod(SERVICE, 'RevokeOperatorKey')
  async revokeOperatorKey(request: TenantRefRequest): Promise<OperatorKeyMessage> {
    requireIds({ id: request.id });
    return presentOperatorKey(await this.operatorKeys.revoke(request.id));
  }
}
