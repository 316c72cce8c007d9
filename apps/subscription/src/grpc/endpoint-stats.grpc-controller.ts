import type { Metadata } from '@grpc/grpc-js';
import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { EndpointStatsService } from '../stats/endpoint-stats.service';
import type { EndpointStatsMessage, GetEndpointStatsRequest } from './admin.messages';
import { presentEndpointStats } from './admin.presenters';
import { endpointStatsInput, requireIds } from './admin.requests';
import { callerTenantId } from './grpc-caller.authenticator';
import { GrpcExceptionFilter } from './grpc-exception.filter';

const SERVICE = 'EndpointService';

/** `hookline.admin.v1.EndpointService.GetEndpointStats`: an endpoint's delivery statistics (tenant API key). */
@UseFilters(GrpcExceptionFilter)
@Controller()
export class EndpointStatsGrpcController {
  constructor(private readonly stats: EndpointStatsService) {}

  @GrpcMethod(SERVICE, 'GetEndpointStats')
  async getEndpointStats(
    request: GetEndpointStatsRequest,
    metadata: Metadata,
  ): Promise<EndpointStatsMessage> {
    const tenantId = callerTenantId(metadata);
    requireIds({ endpoint_id: request.endpoint_id });
    return presentEndpointStats(
      await this.stats.get(tenantId, request.endpoint_id, endpointStatsInput(request)),
    );
  }
}
