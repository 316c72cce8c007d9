import { Body, Controller, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { ApiErrorResponses } from '../errors/api-error.decorators';
import { CreatePortalSessionDto, PortalSessionDto, presentPortalSession } from './portal-session.dto';
import { PortalSessionsService } from './portal-sessions.service';
import { TenantRefPipe } from '../tenants/tenant-ref.pipe';

// What a Host header may hold to be written into a link: a name or address and an optional port.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * `POST /v1/admin/tenants/{id}/portal-sessions`: the operator mints a customer portal session for one
 * tenant. Behind the admin token, like the rest of `/v1/admin`.
 */
@ApiTags('admin')
@ApiBearerAuth('admin-token')
@ApiErrorResponses(401)
@UseGuards(AdminTokenGuard)
@Controller('v1/admin/tenants/:id/portal-sessions')
export class AdminPortalSessionsController {
  constructor(private readonly sessions: PortalSessionsService) {}

  @Post()
  @ApiOperation({
    summary: 'Mint a customer portal session',
    description:
      'A signed token scoped to the tenant, expiring after `ttl_seconds`, and the portal link carrying ' +
      'it. The token is shown in this answer only. A read-only session may only read.',
  })
  @ApiBody({ type: CreatePortalSessionDto, required: false })
  @ApiCreatedResponse({ type: PortalSessionDto })
  @ApiErrorResponses(400, 404, 422)
  async create(
    @Param('id', TenantRefPipe) tenantId: string,
    @Body() body: CreatePortalSessionDto,
    @Req() request: Request,
  ): Promise<PortalSessionDto> {
    return presentPortalSession(await this.sessions.create(tenantId, body, requestOrigin(request)));
  }
}

/** `scheme://host` the request was sent to, when its Host header is a plain host. */
function requestOrigin(request: Request): string | undefined {
  const host = request.get('host');
  if (host === undefined || !HOST.test(host)) return undefined;
  return `${request.protocol}://${host}`;
}
