import type { Metadata } from '@grpc/grpc-js';
import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { DeliveriesService } from '../deliveries/deliveries.service';
import type {
  GetDeliveryResponse,
  IdRequest,
  ListDeliveriesRequest,
  ListDeliveriesResponse,
  ListEventDeliveriesRequest,
  QueuedDeliveryMessage,
  RecoverDeliveriesRequest,
  RecoverDeliveriesResponse,
} from './admin.messages';
import { presentDelivery, presentDeliveryDetail, presentQueuedDelivery } from './admin.presenters';
import { deliveryListInput, pageInput, recoverInput, requireIds } from './admin.requests';
import { callerTenantId } from './grpc-caller.authenticator';
import { GrpcExceptionFilter } from './grpc-exception.filter';

const SERVICE = 'DeliveryService';

/** `hookline.admin.v1.DeliveryService`: delivery logs, redelivery and recovery (tenant API key). */
@UseFilters(GrpcExceptionFilter)
@Controller()
export class DeliveriesGrpcController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @GrpcMethod(SERVICE, 'ListDeliveries')
  async listDeliveries(request: ListDeliveriesRequest, metadata: Metadata): Promise<ListDeliveriesResponse> {
    const tenantId = callerTenantId(metadata);
    const page = await this.deliveries.list(tenantId, deliveryListInput(request));
    return { deliveries: page.items.map(presentDelivery), has_more: page.hasMore };
  }

  @GrpcMethod(SERVICE, 'ListEventDeliveries')
  async listEventDeliveries(
    request: ListEventDeliveriesRequest,
    metadata: Metadata,
  ): Promise<ListDeliveriesResponse> {
    const tenantId = callerTenantId(metadata);
    requireIds({ event_id: request.event_id });
    const page = await this.deliveries.listForEvent(tenantId, request.event_id, pageInput(request));
    return { deliveries: page.items.map(presentDelivery), has_more: page.hasMore };
  }

  @GrpcMethod(SERVICE, 'GetDelivery')
  async getDelivery(request: IdRequest, metadata: Metadata): Promise<GetDeliveryResponse> {
    const tenantId = callerTenantId(metadata);
    requireIds({ id: request.id });
    return presentDeliveryDetail(await this.deliveries.get(tenantId, request.id));
  }

  @GrpcMethod(SERVICE, 'Redeliver')
  async redeliver(request: IdRequest, metadata: Metadata): Promise<QueuedDeliveryMessage> {
    const tenantId = callerTenantId(metadata);
    requireIds({ id: request.id });
    return presentQueuedDelivery(await this.deliveries.redeliver(tenantId, request.id));
  }

  @GrpcMethod(SERVICE, 'RecoverDeliveries')
  async recoverDeliveries(
    request: RecoverDeliveriesRequest,
    metadata: Metadata,
  ): Promise<RecoverDeliveriesResponse> {
    const tenantId = callerTenantId(metadata);
    requireIds({ endpoint_id: request.endpoint_id });
    return this.deliveries.recover(tenantId, request.endpoint_id, recoverInput(request));
  }
}
