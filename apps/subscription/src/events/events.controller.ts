import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, TenantId } from '../auth/api-key.guard';
import { ApiErrorResponses } from '../errors/api-error.decorators';
import { ApiCreatedRangeQuery, ApiPagingQuery } from '../listing/list-query.decorators';
import { listInputFromQuery, queryParam, type QueryParams } from '../listing/list-query';
import { EventDto, EventListDto, EventTypeListDto, ExpungedEventDto } from './event.dto';
import { presentEvent, presentExpunged } from './event.presenter';
import { EventsService } from './events.service';

/** The event-type catalogue and the tenant's stored events. */
@ApiTags('events')
@ApiBearerAuth('api-key')
@ApiErrorResponses(401)
@UseGuards(ApiKeyGuard)
@Controller('v1')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get('event-types')
  @ApiOperation({
    summary: 'List event types',
    description: 'Every type endpoints may subscribe to, with its schema.',
  })
  @ApiOkResponse({ type: EventTypeListDto })
  listEventTypes(): EventTypeListDto {
    return {
      object: 'list',
      data: this.events.listEventTypes().map((definition) => ({
        type: definition.type,
        object: 'event_type',
        group: definition.group,
        category: definition.category,
        description: definition.description,
        schema: definition.schema as Record<string, unknown>,
        sample: definition.sample as Record<string, unknown>,
      })),
      has_more: false,
    };
  }

  @Get('events')
  @ApiOperation({ summary: 'List events', description: 'Newest first.' })
  @ApiPagingQuery()
  @ApiCreatedRangeQuery()
  @ApiQuery({
    name: 'type',
    required: false,
    schema: { type: 'string' },
    description: 'An event type (`user.created`) or a wildcard (`user.*`).',
  })
  @ApiOkResponse({ type: EventListDto })
  @ApiErrorResponses(422)
  async listEvents(@TenantId() tenantId: string, @Query() query: QueryParams): Promise<EventListDto> {
    const page = await this.events.listEvents(tenantId, {
      ...listInputFromQuery(query),
      type: queryParam(query, 'type'),
    });
    return {
      object: 'list',
      data: page.items.map(presentEvent),
      has_more: page.hasMore,
    };
  }

  @Get('events/:id')
  @ApiOperation({ summary: 'Get an event', description: 'The envelope as delivered.' })
  @ApiOkResponse({ type: EventDto })
  @ApiErrorResponses(404)
  async getEvent(@TenantId() tenantId: string, @Param('id') id: string): Promise<EventDto> {
    return presentEvent(await this.events.getEvent(tenantId, id));
  }

  @Post('events/:id/expunge')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Expunge an event',
    description:
      'Erases the payload and every stored response body of its deliveries, keeping their metadata; ' +
      'deliveries still to be attempted stop, and redelivery is refused (409) from then on. Idempotent.',
  })
  @ApiOkResponse({ type: ExpungedEventDto })
  @ApiErrorResponses(404)
  async expungeEvent(@TenantId() tenantId: string, @Param('id') id: string): Promise<ExpungedEventDto> {
    return presentExpunged(await this.events.expungeEvent(tenantId, id));
  }
}
