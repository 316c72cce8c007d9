import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import type { SubscriptionConfig } from '../config';
import { EndpointsService } from '../endpoints/endpoints.service';
import { ApiErrorResponses } from '../errors/api-error.decorators';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import {
  ApiKeyDto,
  ApiKeyListDto,
  CreateApiKeyDto,
  CreateTenantDto,
  MintedApiKeyDto,
  RepublishResultDto,
  SetTenantRetentionDto,
  TenantDto,
  TenantRetentionDto,
} from './admin.dto';
import { ExpungedEventDto } from '../events/event.dto';
import { presentExpunged } from '../events/event.presenter';
import { EventsService } from '../events/events.service';
import { presentApiKey, presentMintedKey, presentTenant } from './admin.presenter';
import { KeysService } from './keys.service';
import { TenantRefPipe } from '../tenants/tenant-ref.pipe';

/**
 * `/v1/admin`: the operator API (tenants, API keys, changelog republish), behind
 * `Authorization: Bearer <SUBSCRIPTION_ADMIN_TOKEN>`; absent (404) when no token is configured.
 */
@ApiTags('admin')
@ApiBearerAuth('admin-token')
@ApiErrorResponses(401)
@UseGuards(AdminTokenGuard)
@Controller('v1/admin')
export class AdminController {
  constructor(
    private readonly keys: KeysService,
    private readonly endpoints: EndpointsService,
    private readonly events: EventsService,
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
  ) {}

  @Post('tenants')
  @ApiOperation({ summary: 'Create a tenant' })
  @ApiCreatedResponse({ type: TenantDto })
  @ApiErrorResponses(400, 422)
  async createTenant(@Body() body: CreateTenantDto): Promise<TenantDto> {
    return presentTenant(await this.keys.createTenant(body), this.config.preset.createdFormat);
  }

  @Put('tenants/:id/retention')
  @ApiOperation({
    summary: "Set how long a tenant's records are kept",
    description:
      "Days of events, deliveries and attempts kept for this tenant when fewer than the platform's " +
      '`HOOKLINE_RETENTION_DAYS`; null for the platform retention.',
  })
  @ApiBody({ type: SetTenantRetentionDto })
  @ApiOkResponse({ type: TenantRetentionDto })
  @ApiErrorResponses(400, 404, 422)
  async setRetention(
    @Param('id', TenantRefPipe) tenantId: string,
    @Body() body: unknown,
  ): Promise<TenantRetentionDto> {
    const retention = await this.keys.setRetention(tenantId, body);
    return {
      object: 'tenant_retention',
      tenant_id: retention.tenantId,
      retention_days: retention.retentionDays,
    };
  }

  @Post('tenants/:id/events/:eventId/expunge')
  @HttpCode(200)
  @ApiOperation({
    summary: "Expunge a tenant's event",
    description:
      'Erases the payload and every stored response body of its deliveries, keeping their metadata; ' +
      'deliveries still to be attempted stop, and redelivery is refused (409) from then on. Idempotent.',
  })
  @ApiOkResponse({ type: ExpungedEventDto })
  @ApiErrorResponses(404)
  async expungeEvent(
    @Param('id', TenantRefPipe) tenantId: string,
    @Param('eventId') eventId: string,
  ): Promise<ExpungedEventDto> {
    return presentExpunged(await this.events.expungeEvent(tenantId, eventId));
  }

  @Post('tenants/:id/api-keys')
  @ApiOperation({
    summary: 'Mint an API key',
    description: 'The key is shown in this answer only; only its hash is stored.',
  })
  @ApiBody({ type: CreateApiKeyDto, required: false })
  @ApiCreatedResponse({ type: MintedApiKeyDto })
  @ApiErrorResponses(400, 404, 422)
  async mintKey(
    @Param('id', TenantRefPipe) tenantId: string,
    @Body() body: CreateApiKeyDto,
  ): Promise<MintedApiKeyDto> {
    return presentMintedKey(await this.keys.mintKey(tenantId, body), this.config.preset.createdFormat);
  }

  @Get('tenants/:id/api-keys')
  @ApiOperation({
    summary: "List a tenant's API keys",
    description: 'Oldest first; only each key\u2019s first characters.',
  })
  @ApiOkResponse({ type: ApiKeyListDto })
  @ApiErrorResponses(404)
  async listKeys(@Param('id', TenantRefPipe) tenantId: string): Promise<ApiKeyListDto> {
    const keys = await this.keys.listKeys(tenantId);
    const format = this.config.preset.createdFormat;
    return { object: 'list', data: keys.map((key) => presentApiKey(key, format)), has_more: false };
  }

  @Delete('tenants/:id/api-keys/:keyId')
  @ApiOperation({ summary: 'Revoke an API key', description: 'Idempotent.' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiErrorResponses(404)
  async revokeKey(
    @Param('id', TenantRefPipe) tenantId: string,
    @Param('keyId') keyId: string,
  ): Promise<ApiKeyDto> {
    return presentApiKey(await this.keys.revokeKey(tenantId, keyId), this.config.preset.createdFormat);
  }

  @Post('endpoints/republish')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Republish every endpoint to the changelog',
    description: 'Idempotent; rebuilds a lost or truncated subscription changelog.',
  })
  @ApiOkResponse({ type: RepublishResultDto })
  @ApiErrorResponses(503)
  async republish(): Promise<RepublishResultDto> {
    return { count: await this.endpoints.republishAll() };
  }
}
