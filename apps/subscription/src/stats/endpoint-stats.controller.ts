import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, TenantId } from '../auth/api-key.guard';
import { ApiErrorResponses } from '../errors/api-error.decorators';
import { queryParam, type QueryParams } from '../listing/list-query';
import { EndpointStatsDto } from './endpoint-stats.dto';
import { presentEndpointStats } from './endpoint-stats.presenter';
import { EndpointStatsService } from './endpoint-stats.service';
import { DEFAULT_STATS_WINDOW, STATS_WINDOW_NAMES } from './endpoint-stats.view';

/** `/v1/webhooks/{id}/stats`: an endpoint's delivery statistics. */
@ApiTags('webhooks')
@ApiBearerAuth('api-key')
@ApiErrorResponses(401)
@UseGuards(ApiKeyGuard)
@Controller('v1/webhooks')
export class EndpointStatsController {
  constructor(private readonly stats: EndpointStatsService) {}

  @Get(':id/stats')
  @ApiOperation({
    summary: "Get an endpoint's delivery statistics",
    description:
      'Attempts, success rate, p50/p95 duration and failures by reason over the last hour, 24 hours or 7 days, ' +
      'in total and as a series of buckets (1 minute, 15 minutes, 2 hours). Counted as attempts are ' +
      'recorded, so the figures are current to the last recorded attempt; statistics are kept for 8 days.',
  })
  @ApiQuery({
    name: 'window',
    required: false,
    enum: STATS_WINDOW_NAMES,
    description: `The window, ending now; \`${DEFAULT_STATS_WINDOW}\` when absent.`,
  })
  @ApiOkResponse({ type: EndpointStatsDto })
  @ApiErrorResponses(404, 422)
  async get(
    @TenantId() tenantId: string,
    @Param('id') endpointId: string,
    @Query() query: QueryParams,
  ): Promise<EndpointStatsDto> {
    const stats = await this.stats.get(tenantId, endpointId, { window: queryParam(query, 'window') });
    return presentEndpointStats(stats);
  }
}
