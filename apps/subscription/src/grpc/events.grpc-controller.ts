import type { Metadata } from '@grpc/grpc-js';
import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { EventsService } from '../events/events.service';
import type {
  EventMessage,
  ExpungedEventMessage,
  IdRequest,
  ListEventsRequest,
  ListEventsResponse,
  ListEventTypesResponse,
} from './admin.messages';
import { presentEvent, presentEventType, presentExpungedEvent } from './admin.presenters';
import { eventListInput, requireIds } from './admin.requests';
import { callerTenantId } from './grpc-caller.authenticator';
import { GrpcExceptionFilter } from './grpc-exception.filter';

const SERVICE = 'EventService';

/** `hookline.admin.v1.EventService`: the event-type catalogue and stored events (tenant API key). */
@UseFilters(GrpcExceptionFilter)
@Controller()
export class EventsGrpcController {
  constructor(private readonly events: EventsService) {}

  @GrpcMethod(SERVICE, 'ListEventTypes')
  async listEventTypes(): Promise<ListEventTypesResponse> {
    return { event_types: this.events.listEventTypes().map(presentEventType) };
  }

  @GrpcMethod(SERVICE, 'ListEvents')
  async listEvents(request: ListEventsRequest, metadata: Metadata): Promise<ListEventsResponse> {
    const tenantId = callerTenantId(metadata);
    const page = await this.events.listEvents(tenantId, eventListInput(request));
    return { events: page.items.map(presentEvent), has_more: page.hasMore };
  }

  @GrpcMethod(SERVICE, 'GetEvent')
  async getEvent(request: IdRequest, metadata: Metadata): Promise<EventMessage> {
    const tenantId = callerTenantId(metadata);
    requireIds({ id: request.id });
    return presentEvent(await this.events.getEvent(tenantId, request.id));
  }

  @GrpcMethod(SERVICE, 'ExpungeEvent')
  async expungeEvent(request: IdRequest, metadata: Metadata): Promise<ExpungedEventMessage> {
    const tenantId = callerTenantId(metadata);
    requireIds({ id: request.id });
    return presentExpungedEvent(await this.events.expungeEvent(tenantId, request.id));
  }
}
