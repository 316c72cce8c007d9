import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import type { SubscriptionConfig } from '../config';
import { ApiErrorResponses } from '../errors/api-error.decorators';
import { TenantDto } from '../keys/admin.dto';
import { presentOperatorKey, presentTenant } from '../keys/admin.presenter';
import { OperatorKeysService } from '../keys/operator-keys.service';
import { ApiPagingQuery } from '../listing/list-query.decorators';
import { listInputFromQuery, type QueryParams, queryParam } from '../listing/list-query';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import {
  CreateOperatorKeyDto,
  DeletedTenantDto,
  DisableTenantDto,
  MintedOperatorKeyDto,
  OperatorKeyDto,
  OperatorKeyListDto,
  TenantListDto,
  UpdateTenantDto,
} from './tenants.dto';
import { TenantsService } from './tenants.service';

/**
 * `/v1/admin/tenants…` (list, read, change, disable, enable, delete) and `/v1/admin/operator-keys`:
 * the operator API, behind the admin token or an operator key (`AdminTokenGuard`). `{id}` is a
 * tenant id or its `uid`.
 */
@ApiTags('admin')
@ApiBearerAuth('admin-token')
@ApiErrorResponses(401)
@UseGuards(AdminTokenGuard)
@Controller('v1/admin')
export class TenantsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly operatorKeys: OperatorKeysService,
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
  ) {}

  @Get('tenants')
  @ApiOperation({ summary: 'List tenants', description: 'Newest first; page with `starting_after`.' })
  @ApiPagingQuery()
  @ApiQuery({
    name: 'disabled',
    required: false,
    type: Boolean,
    description: 'Only disabled (true) or enabled (false) tenants.',
  })
  @ApiOkResponse({ type: TenantListDto })
  @ApiErrorResponses(422)
  async list(@Query() query: QueryParams): Promise<TenantListDto> {
    const page = await this.tenants.list({
      ...listInputFromQuery(query),
      disabled: queryParam(query, 'disabled'),
    });
    const format = this.config.preset.createdFormat;
    return {
      object: 'list',
      data: page.items.map((tenant) => presentTenant(tenant, format)),
      has_more: page.hasMore,
    };
  }

  @Get('tenants/:id')
  @ApiOperation({ summary: 'Get a tenant', description: 'By its id (`ten_…`) or its `uid`.' })
  @ApiOkResponse({ type: TenantDto })
  @ApiErrorResponses(404)
  async get(@Param('id') ref: string): Promise<TenantDto> {
    return presentTenant(await this.tenants.get(ref), this.config.preset.createdFormat);
  }

  @Patch('tenants/:id')
  @ApiOperation({
    summary: 'Update a tenant',
    description: 'Changes `name`, `uid` and `metadata`, each when given.',
  })
  @ApiBody({ type: UpdateTenantDto })
  @ApiOkResponse({ type: TenantDto })
  @ApiErrorResponses(400, 404, 422)
  async update(@Param('id') ref: string, @Body() body: unknown): Promise<TenantDto> {
    return presentTenant(await this.tenants.update(ref, body), this.config.preset.createdFormat);
  }

  @Post('tenants/:id/disable')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Disable a tenant',
    description:
      'Its API keys and portal sessions are refused (403 `tenant_disabled`) until it is enabled; its ' +
      'endpoints, keys and records are kept.',
  })
  @ApiBody({ type: DisableTenantDto, required: false })
  @ApiOkResponse({ type: TenantDto })
  @ApiErrorResponses(400, 404, 422)
  async disable(@Param('id') ref: string, @Body() body: unknown): Promise<TenantDto> {
    return presentTenant(await this.tenants.disable(ref, body), this.config.preset.createdFormat);
  }

  @Post('tenants/:id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable a disabled tenant', description: 'Idempotent.' })
  @ApiOkResponse({ type: TenantDto })
  @ApiErrorResponses(404)
  async enable(@Param('id') ref: string): Promise<TenantDto> {
    return presentTenant(await this.tenants.enable(ref), this.config.preset.createdFormat);
  }

  @Delete('tenants/:id')
  @ApiOperation({
    summary: 'Delete a tenant',
    description:
      'Deletes its endpoints (each published to the changelog as deleted), its API keys and the tenant; ' +
      'its portal sessions stop working. Its events, deliveries and attempts are left to retention.',
  })
  @ApiOkResponse({ type: DeletedTenantDto })
  @ApiErrorResponses(404, 503)
  async delete(@Param('id') ref: string): Promise<DeletedTenantDto> {
    const deleted = await this.tenants.delete(ref);
    return { id: deleted.id, object: 'tenant', deleted: true, endpoints_deleted: deleted.endpointsDeleted };
  }

  @Post('operator-keys')
  @ApiOperation({
    summary: 'Mint an operator key',
    description:
      'Works as the admin token does. The key is shown in this answer only; only its hash is stored.',
  })
  @ApiBody({ type: CreateOperatorKeyDto })
  @ApiCreatedResponse({ type: MintedOperatorKeyDto })
  @ApiErrorResponses(400, 422)
  async mintOperatorKey(@Body() body: unknown): Promise<MintedOperatorKeyDto> {
    const minted = await this.operatorKeys.mint(body);
    return { ...presentOperatorKey(minted.operatorKey, this.config.preset.createdFormat), key: minted.key };
  }

  @Get('operator-keys')
  @ApiOperation({
    summary: 'List operator keys',
    description: 'Oldest first, revoked ones included, with their last use.',
  })
  @ApiOkResponse({ type: OperatorKeyListDto })
  async listOperatorKeys(): Promise<OperatorKeyListDto> {
    const format = this.config.preset.createdFormat;
    const keys = await this.operatorKeys.list();
    return { object: 'list', data: keys.map((key) => presentOperatorKey(key, format)), has_more: false };
  }

  @Delete('operator-keys/:keyId')
  @ApiOperation({ summary: 'Revoke an operator key', description: 'Refused from then on (401). Idempotent.' })
  @ApiOkResponse({ type: OperatorKeyDto })
  @ApiErrorResponses(404)
  async revokeOperatorKey(@Param('keyId') keyId: string): Promise<OperatorKeyDto> {
    return presentOperatorKey(await this.operatorKeys.revoke(keyId), this.config.preset.createdFormat);
  }
}
