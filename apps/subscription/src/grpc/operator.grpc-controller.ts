import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { EndpointsService } from '../endpoints/endpoints.service';
import { KeysService } from '../keys/keys.service';
import type {
  ApiKeyMessage,
  CreateTenantRequest,
  ExpungedEventMessage,
  ExpungeTenantEventRequest,
  ListApiKeysRequest,
  ListApiKeysResponse,
  MintApiKeyRequest,
  MintedApiKeyMessage,
  RepublishEndpointsResponse,
  RevokeApiKeyRequest,
  SetTenantRetentionRequest,
  TenantMessage,
  TenantRetentionMessage,
} from './admin.messages';
import { presentApiKey, presentExpungedEvent, presentTenant } from './admin.presenters';
import { EventsService } from '../events/events.service';
import { requireIds } from './admin.requests';
import { TenantsService } from '../tenants/tenants.service';
import { GrpcExceptionFilter } from './grpc-exception.filter';

const SERVICE = 'OperatorService';

/**
 * `hookline.admin.v1.OperatorService`: tenants, API keys and changelog republish. Calls reach it only
 * with the admin token (`GrpcCallerGate`).
 */
@UseFilters(GrpcExceptionFilter)
@Controller()
export class OperatorGrpcController {
  constructor(
    private readonly keys: KeysService,
    private readonly endpoints: EndpointsService,
    private readonly events: EventsService,
    private readonly tenants: TenantsService,
  ) {}

  @GrpcMethod(SERVICE, 'CreateTenant')
  async createTenant(request: CreateTenantRequest): Promise<TenantMessage> {
    // An empty name is how protobuf sends none; the use case then says it is required.
    const input = {
      ...(request.name === '' ? {} : { name: request.name }),
      ...(request.uid === undefined ? {} : { uid: request.uid }),
      ...(Object.keys(request.metadata ?? {}).length === 0 ? {} : { metadata: request.metadata }),
    };
    return presentTenant(await this.keys.createTenant(input));
  }

  @GrpcMethod(SERVICE, 'MintApiKey')
  async mintApiKey(request: MintApiKeyRequest): Promise<MintedApiKeyMessage> {
    requireIds({ tenant_id: request.tenant_id });
    const minted = await this.keys.mintKey(
      await this.tenants.resolve(request.tenant_id),
      request.name === undefined ? {} : { name: request.name },
    );
    return { api_key: presentApiKey(minted.apiKey), key: minted.key };
  }

  @GrpcMethod(SERVICE, 'ListApiKeys')
  async listApiKeys(request: ListApiKeysRequest): Promise<ListApiKeysResponse> {
    requireIds({ tenant_id: request.tenant_id });
    return {
      api_keys: (await this.keys.listKeys(await this.tenants.resolve(request.tenant_id))).map(presentApiKey),
    };
  }

  @GrpcMethod(SERVICE, 'RevokeApiKey')
  async revokeApiKey(request: RevokeApiKeyRequest): Promise<ApiKeyMessage> {
    requireIds({ tenant_id: request.tenant_id, key_id: request.key_id });
    return presentApiKey(
      await this.keys.revokeKey(await this.tenants.resolve(request.tenant_id), request.key_id),
    );
  }

  @GrpcMethod(SERVICE, 'RepublishEndpoints')
  async republishEndpoints(_request: unknown): Promise<RepublishEndpointsResponse> {
    return { count: await this.endpoints.republishAll() };
  }

  @GrpcMethod(SERVICE, 'SetTenantRetention')
  async setTenantRetention(request: SetTenantRetentionRequest): Promise<TenantRetentionMessage> {
    requireIds({ tenant_id: request.tenant_id });
    const retention = await this.keys.setRetention(await this.tenants.resolve(request.tenant_id), {
      retention_days: request.retention_days ?? null,
    });
    return {
      tenant_id: retention.tenantId,
      ...(retention.retentionDays === null ? {} : { retention_days: retention.retentionDays }),
    };
  }

  @GrpcMethod(SERVICE, 'ExpungeTenantEvent')
  async expungeTenantEvent(request: ExpungeTenantEventRequest): Promise<ExpungedEventMessage> {
    requireIds({ tenant_id: request.tenant_id, id: request.id });
    return presentExpungedEvent(
      await this.events.expungeEvent(await this.tenants.resolve(request.tenant_id), request.id),
    );
  }
}
