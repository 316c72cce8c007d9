import {
  applyDecorators,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { DELIVERY_STATUSES } from '@hookline/persistence';
import { ApiKeyGuard, TenantId } from '../auth/api-key.guard';
import type { SubscriptionConfig } from '../config';
import { ApiErrorResponses } from '../errors/api-error.decorators';
import { ApiCreatedRangeQuery, ApiPagingQuery } from '../listing/list-query.decorators';
import { listInputFromQuery, queryParam, type QueryParams } from '../listing/list-query';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import { DeliveriesService, type DeliveryListInput } from './deliveries.service';
import type { DeliveryView } from './delivery.view';
import type { Page } from '../listing/list-input';
import {
  DeliveryDetailDto,
  DeliveryListDto,
  QueuedDeliveryDto,
  RecoverDto,
  RecoverResultDto,
  TestEventDto,
} from './delivery.dto';
import { presentDelivery, presentDeliveryDetail, presentQueuedDelivery } from './delivery.presenter';

/** Delivery logs, redelivery, recovery and test events. */
@ApiTags('deliveries')
@ApiBearerAuth('api-key')
@ApiErrorResponses(401)
@UseGuards(ApiKeyGuard)
@Controller('v1')
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesService,
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
  ) {}

  @Get('webhooks/:id/deliveries')
  @ApiOperation({ summary: "List an endpoint's deliveries", description: 'Newest first.' })
  @ApiDeliveryFilterQuery()
  @ApiOkResponse({ type: DeliveryListDto })
  @ApiErrorResponses(404, 422)
  async list(
    @TenantId() tenantId: string,
    @Param('id') endpointId: string,
    @Query() query: QueryParams,
  ): Promise<DeliveryListDto> {
    return this.present(
      await this.deliveries.listForEndpoint(tenantId, endpointId, deliveryListInputFromQuery(query)),
    );
  }

  @Get('deliveries')
  @ApiOperation({
    summary: 'List deliveries',
    description:
      "Every endpoint's deliveries, newest first; `endpoint_id` keeps one endpoint's (as " +
      '`GET /v1/webhooks/{id}/deliveries`, 404 when the tenant has no such endpoint).',
  })
  @ApiQuery({ name: 'endpoint_id', required: false, schema: { type: 'string' } })
  @ApiDeliveryFilterQuery()
  @ApiOkResponse({ type: DeliveryListDto })
  @ApiErrorResponses(404, 422)
  async listAll(@TenantId() tenantId: string, @Query() query: QueryParams): Promise<DeliveryListDto> {
    return this.present(
      await this.deliveries.list(tenantId, {
        ...deliveryListInputFromQuery(query),
        endpointId: queryParam(query, 'endpoint_id'),
      }),
    );
  }

  @Get('events/:id/deliveries')
  @ApiOperation({
    summary: "List an event's deliveries",
    description: 'Its delivery to each endpoint it was owed to, and its test deliveries; newest first.',
  })
  @ApiPagingQuery()
  @ApiOkResponse({ type: DeliveryListDto })
  @ApiErrorResponses(404, 422)
  async listForEvent(
    @TenantId() tenantId: string,
    @Param('id') eventId: string,
    @Query() query: QueryParams,
  ): Promise<DeliveryListDto> {
    return this.present(await this.deliveries.listForEvent(tenantId, eventId, listInputFromQuery(query)));
  }

  @Get('deliveries/:id')
  @ApiOperation({ summary: 'Get a delivery with its attempts' })
  @ApiOkResponse({ type: DeliveryDetailDto })
  @ApiErrorResponses(404)
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<DeliveryDetailDto> {
    return presentDeliveryDetail(await this.deliveries.get(tenantId, id), this.config.preset.createdFormat);
  }

  @Post('deliveries/:id/redeliver')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a delivery again',
    description: 'Queues attempt `attempt_count + 1`; refused (409) while the delivery is still queued.',
  })
  @ApiAcceptedResponse({ type: QueuedDeliveryDto })
  @ApiErrorResponses(404, 409, 503)
  async redeliver(@TenantId() tenantId: string, @Param('id') id: string): Promise<QueuedDeliveryDto> {
    return presentQueuedDelivery(await this.deliveries.redeliver(tenantId, id));
  }

  @Post('webhooks/:id/recover')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send failed deliveries again',
    description:
      'Queues every `failed` delivery of the endpoint created between `since` and `until` (default now).',
  })
  @ApiAcceptedResponse({ type: RecoverResultDto })
  @ApiErrorResponses(400, 404, 422, 503)
  recover(
    @TenantId() tenantId: string,
    @Param('id') endpointId: string,
    @Body() body: RecoverDto,
  ): Promise<RecoverResultDto> {
    return this.deliveries.recover(tenantId, endpointId, body);
  }

  @Post('webhooks/:id/test')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a test event',
    description:
      'Stores a test event (`livemode: false`) and queues its delivery to this endpoint. Without a body the type is ' +
      "the first one the endpoint's first subscription selects, with that type's sample data.",
  })
  @ApiBody({ type: TestEventDto, required: false })
  @ApiAcceptedResponse({ type: QueuedDeliveryDto })
  @ApiErrorResponses(400, 404, 422, 503)
  async test(
    @TenantId() tenantId: string,
    @Param('id') endpointId: string,
    @Body() body: TestEventDto,
  ): Promise<QueuedDeliveryDto> {
    return presentQueuedDelivery(await this.deliveries.sendTestEvent(tenantId, endpointId, body));
  }

  private present(page: Page<DeliveryView>): DeliveryListDto {
    const format = this.config.preset.createdFormat;
    return {
      object: 'list',
      data: page.items.map((item) => presentDelivery(item, format)),
      has_more: page.hasMore,
    };
  }
}

/** Filters of a delivery log from a query string: paging, created range, `status` and `type`. */
function deliveryListInputFromQuery(query: QueryParams): DeliveryListInput {
  return {
    ...listInputFromQuery(query),
    status: queryParam(query, 'status'),
    type: queryParam(query, 'type'),
  };
}

/** Documents the filters every delivery log takes. */
function ApiDeliveryFilterQuery(): MethodDecorator {
  return applyDecorators(
    ApiPagingQuery(),
    ApiCreatedRangeQuery(),
    ApiQuery({ name: 'status', required: false, enum: DELIVERY_STATUSES }),
    ApiQuery({
      name: 'type',
      required: false,
      schema: { type: 'string' },
      description: 'Only deliveries of this event type (`user.created`) or wildcard (`user.*`).',
    }),
  );
}
