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
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyGuard, RefusedToReadOnly, TenantId } from '../auth/api-key.guard';
import type { SubscriptionConfig } from '../config';
import { ApiErrorResponses } from '../errors/api-error.decorators';
import { ApiPagingQuery } from '../listing/list-query.decorators';
import { listInputFromQuery, type QueryParams } from '../listing/list-query';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import { EndpointsService } from './endpoints.service';
import {
  CreateWebhookDto,
  DeletedWebhookDto,
  RotateSecretDto,
  UpdateWebhookDto,
  WebhookDto,
  WebhookListDto,
  WebhookSecretDto,
  WebhookWithSecretDto,
} from './webhook.dto';
import { presentDeletedWebhook, presentWebhook, presentWebhookWithSecret } from './webhook.presenter';

/** `/v1/webhooks`: a tenant's webhook endpoints. */
@ApiTags('webhooks')
@ApiBearerAuth('api-key')
@ApiErrorResponses(401)
@UseGuards(ApiKeyGuard)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: EndpointsService,
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register an endpoint',
    description: 'The answer is the only time the secret is shown.',
  })
  @ApiCreatedResponse({ type: WebhookWithSecretDto })
  @ApiErrorResponses(400, 422, 503)
  async create(@TenantId() tenantId: string, @Body() body: CreateWebhookDto): Promise<WebhookWithSecretDto> {
    const { endpoint, secret } = await this.endpoints.create(tenantId, body);
    return presentWebhookWithSecret(endpoint, secret, this.config.preset.createdFormat);
  }

  @Get()
  @ApiOperation({ summary: 'List endpoints', description: 'Newest first; page with `starting_after`.' })
  @ApiPagingQuery()
  @ApiOkResponse({ type: WebhookListDto })
  @ApiErrorResponses(422)
  async list(@TenantId() tenantId: string, @Query() query: QueryParams): Promise<WebhookListDto> {
    const page = await this.endpoints.list(tenantId, listInputFromQuery(query));
    const format = this.config.preset.createdFormat;
    return {
      object: 'list',
      data: page.items.map((item) => presentWebhook(item, format)),
      has_more: page.hasMore,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an endpoint', description: 'The secret is never shown here.' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiErrorResponses(404)
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<WebhookDto> {
    return presentWebhook(await this.endpoints.get(tenantId, id), this.config.preset.createdFormat);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Update an endpoint',
    description: 'Changes the fields given and leaves absent fields unchanged (the same as PATCH).',
  })
  @ApiOkResponse({ type: WebhookDto })
  @ApiErrorResponses(400, 404, 422, 503)
  put(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<WebhookDto> {
    return this.update(tenantId, id, body);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update an endpoint partially', description: 'Changes the fields given.' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiErrorResponses(400, 404, 422, 503)
  patch(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<WebhookDto> {
    return this.update(tenantId, id, body);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete an endpoint', description: 'Its delivery logs stay readable.' })
  @ApiOkResponse({ type: DeletedWebhookDto })
  @ApiErrorResponses(404, 503)
  async delete(@TenantId() tenantId: string, @Param('id') id: string): Promise<DeletedWebhookDto> {
    const { id: deleted } = await this.endpoints.delete(tenantId, id);
    return presentDeletedWebhook(deleted);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate the signing secret',
    description:
      'Returns the new secret. The old one keeps signing next to it for the rotation window (24 hours unless configured).',
  })
  @ApiBody({ type: RotateSecretDto, required: false })
  @ApiOkResponse({ type: WebhookWithSecretDto })
  @ApiErrorResponses(400, 404, 422, 503)
  async rotateSecret(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Body() body: RotateSecretDto,
  ): Promise<WebhookWithSecretDto> {
    const { endpoint, secret } = await this.endpoints.rotateSecret(tenantId, id, body);
    return presentWebhookWithSecret(endpoint, secret, this.config.preset.createdFormat);
  }

  @Get(':id/secret')
  @RefusedToReadOnly('revealing the signing secret')
  @ApiOperation({
    summary: 'Reveal the signing secret',
    description:
      'The current signing secret, and until when the one it replaced still signs. Refused (403) to a ' +
      'read-only customer portal session: whoever holds the secret can sign requests.',
  })
  @ApiOkResponse({ type: WebhookSecretDto })
  @ApiErrorResponses(403, 404)
  async revealSecret(@TenantId() tenantId: string, @Param('id') id: string): Promise<WebhookSecretDto> {
    const { secret, previousSecretExpiresAt } = await this.endpoints.revealSecret(tenantId, id);
    return { secret, previous_secret_expires_at: previousSecretExpiresAt?.toISOString() ?? null };
  }

  private async update(tenantId: string, id: string, body: UpdateWebhookDto): Promise<WebhookDto> {
    return presentWebhook(await this.endpoints.update(tenantId, id, body), this.config.preset.createdFormat);
  }
}
