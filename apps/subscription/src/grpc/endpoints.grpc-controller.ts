import type { Metadata } from '@grpc/grpc-js';
import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { EndpointsService } from '../endpoints/endpoints.service';
import type {
  CreateEndpointRequest,
  DeleteEndpointResponse,
  EndpointMessage,
  EndpointSecretMessage,
  EndpointWithSecretMessage,
  IdRequest,
  ListEndpointsRequest,
  ListEndpointsResponse,
  QueuedDeliveryMessage,
  RotateEndpointSecretRequest,
  SendTestEventRequest,
  UpdateEndpointRequest,
} from './admin.messages';
import { presentEndpoint, presentEndpointSecret, presentQueuedDelivery } from './admin.presenters';
import {
  createEndpointInput,
  pageInput,
  requireIds,
  testEventInput,
  updateEndpointInput,
} from './admin.requests';
import { callerTenantId } from './grpc-caller.authenticator';
import { GrpcExceptionFilter } from './grpc-exception.filter';

const SERVICE = 'EndpointService';

/** `hookline.admin.v1.EndpointService`: a tenant's webhook endpoints (tenant API key). */
@UseFilters(GrpcExceptionFilter)
@Controller()
export class EndpointsGrpcController {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly deliveries: DeliveriesService,
  ) {}

  @GrpcMethod(SERVICE, 'CreateEndpoint')
  async createEndpoint(
    request: CreateEndpointRequest,
    metadata: Metadata,
  ): Promise<EndpointWithSecretMessage> {
    const tenantId = callerTenantId(metadata);
    const { endpoint, secret } = await this.endpoints.create(tenantId, createEndpointInput(request));
    return { endpoint: presentEndpoint(endpoint), secret };
  }

  @GrpcMethod(SERVICE, 'ListEndpoints')
  async listEndpoints(request: ListEndpointsRequest, metadata: Metadata): Promise<ListEndpointsResponse> {
    const tenantId = callerTenantId(metadata);
    const page = await this.endpoints.list(tenantId, pageInput(request));
    return { endpoints: page.items.map(presentEndpoint), has_more: page.hasMore };
  }

  @GrpcMethod(SERVICE, 'GetEndpoint')
  async getEndpoint(request: IdRequest, metadata: Metadata): Promise<EndpointMessage> {
    const tenantId = callerTenantId(metadata);
    requireIds({ id: request.id });
    return presentEndpoint(await this.endpoints.get(tenantId, request.id));
  }

  @GrpcMethod(SERVICE, 'UpdateEndpoint')
  async updateEndpoint(request: UpdateEndpointRequest, metadata: Metadata): Promise<EndpointMessage> {
    const tenantId = callerTenantId(metadata);
    requireIds({ id: request.id });
    return presentEndpoint(await this.endpoints.update(tenantId, request.id, updateEndpointInput(request)));
  }

  @GrpcMethod(SERVICE, 'DeleteEndpoint')
  async deleteEndpoint(request: IdRequest, metadata: Metadata): Promise<DeleteEndpointResponse> {
    const tenantId = callerTenantId(metadata);
    requireIds({ id: request.id });
    const { id } = await this.endpoints.delete(tenantId, request.id);
    return { id, deleted: true };
  }

  @GrpcMethod(SERVICE, 'RotateEndpointSecret')
  async rotateEndpointSecret(
    request: RotateEndpointSecretRequest,
    metadata: Metadata,
  ): Promise<EndpointWithSecretMessage> {
    const tenantId = callerTenantId(metadata);
    requireIds({ id: request.id });
    const input = request.secret === undefined ? {} : { secret: request.secret };
    const { endpoint, secret } = await this.endpoints.rotateSecret(tenantId, request.id, input);
    return { endpoint: presentEndpoint(endpoint), secret };
  }

  @GrpcMethod(SERVICE, 'GetEndpointSecret')
  async getEndpointSecret(request: IdRequest, metadata: Metadata): Promise<EndpointSecretMessage> {
    const tenantId = callerTenantId(metadata);
    requireIds({ id: request.id });
    return presentEndpointSecret(await this.endpoints.revealSecret(tenantId, request.id));
  }

  @GrpcMethod(SERVICE, 'SendTestEvent')
  async sendTestEvent(request: SendTestEventRequest, metadata: Metadata): Promise<QueuedDeliveryMessage> {
    const tenantId = callerTenantId(metadata);
    requireIds({ endpoint_id: request.endpoint_id });
    return presentQueuedDelivery(
      await this.deliveries.sendTestEvent(tenantId, request.endpoint_id, testEventInput(request)),
    );
  }
}
