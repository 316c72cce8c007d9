import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { EndpointsService } from '../endpoints/endpoints.service';
import { KeysService } from '../keys/keys.service';
import type {
  ApiKeyMessage,
  CreateTenantRequest,
  ListApiKeysRequest,
  ListApiKeysResponse,
  MintApiKeyRequest,
  MintedApiKeyMessage,
  RepublishEndpointsResponse,
  RevokeApiKeyRequest,
  TenantMessage,
} from './admin.messages';
import { presentApiKey, presentTenant } from './admin.presenters';
import { requireIds } from './admin.requests';
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
  ) {}

  @GrpcMethod(SERVICE, 'CreateTenant')
  async createTenant(request: CreateTenantRequest): Promise<TenantMessage> {
    // An empty name is how protobuf sends none; the use case then says it is required.
    const input = request.name === '' ? {} : { name: request.name };
    return presentTenant(await this.keys.createTenant(input));
  }

  @GrpcMethod(SERVICE, 'MintApiKey')
  async mintApiKey(request: MintApiKeyRequest): Promise<MintedApiKeyMessage> {
    requireIds({ tenant_id: request.tenant_id });
    const minted = await this.keys.mintKey(
      request.tenant_id,
      request.name === undefined ? {} : { name: request.name },
    );
    return { api_key: presentApiKey(minted.apiKey), key: minted.key };
  }

  @GrpcMethod(SERVICE, 'ListApiKeys')
  async listApiKeys(request: ListApiKeysRequest): Promise<ListApiKeysResponse> {
    requireIds({ tenant_id: request.tenant_id });
    return { api_keys: (await this.keys.listKeys(request.tenant_id)).map(presentApiKey) };
  }

  @GrpcMethod(SERVICE, 'RevokeApiKey')
  async revokeApiKey(request: RevokeApiKeyRequest): Promise<ApiKeyMessage> {
    requireIds({ tenant_id: request.tenant_id, key_id: request.key_id });
    return presentApiKey(await this.keys.revokeKey(request.tenant_id, request.key_id));
  }

  @GrpcMethod(SERVICE, 'RepublishEndpoints')
  async republishEndpoints(_request: unknown): Promise<RepublishEndpointsResponse> {
    return { count: await this.endpoints.republishAll() };
  }
}
