import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_SESSION_TTL_SECONDS, MIN_SESSION_TTL_SECONDS } from './portal.config';
import type { PortalSessionView } from './portal-sessions.service';

/** Body of `POST /v1/admin/tenants/{id}/portal-sessions`. */
export class CreatePortalSessionDto {
  @ApiPropertyOptional({
    type: 'boolean',
    nullable: true,
    default: false,
    description: 'A read-only session may only read: any other method answers 403.',
  })
  read_only?: boolean | null;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    nullable: true,
    minimum: MIN_SESSION_TTL_SECONDS,
    maximum: MAX_SESSION_TTL_SECONDS,
    default: 3600,
    description: 'Lifetime in seconds; at most `PORTAL_SESSION_MAX_TTL` (24 h unless configured shorter).',
  })
  ttl_seconds?: number | null;
}

/** A freshly minted portal session: the token is shown in this answer only and is not stored. */
export class PortalSessionDto {
  @ApiProperty({ example: 'ps_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  id!: string;

  @ApiProperty({ example: 'ten_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  tenant_id!: string;

  @ApiProperty()
  read_only!: boolean;

  @ApiProperty({
    format: 'uri-reference',
    example: 'https://hooks.example.com/portal/#session=hlp_eyJzaWQiOiJwc18wMUo5WjNZOFE3WFc0In0.Qm9vaw',
    description:
      'Opens the portal with the session: link to it or frame it. The token is in the fragment, which ' +
      'browsers send to no server. Absolute when `PORTAL_PUBLIC_URL` is set or the request named its host.',
  })
  url!: string;

  @ApiProperty({
    example: 'hlp_eyJzaWQiOiJwc18wMUo5WjNZOFE3WFc0In0.Qm9vaw',
    description:
      'The session token; acts for the tenant on the tenant API as `Authorization: Bearer <token>` until ' +
      '`expires_at`. Not stored.',
  })
  token!: string;

  @ApiProperty({ type: 'string', format: 'date-time', example: '2024-01-15T11:30:00.000Z' })
  expires_at!: string;
}

/** A minted session as the REST API shows it. */
export function presentPortalSession(session: PortalSessionView): PortalSessionDto {
  return {
    id: session.id,
    tenant_id: session.tenantId,
    read_only: session.readOnly,
    url: session.url,
    token: session.token,
    expires_at: session.expiresAt.toISOString(),
  };
}
