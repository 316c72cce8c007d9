import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CREATED_PROPERTY } from '@hookline/observability';
import { NULLABLE_INSTANT } from '../listing/api-schema.fragments';
import { MAX_KEY_NAME_LENGTH, MAX_RETENTION_DAYS, MAX_TENANT_NAME_LENGTH } from './keys.service';

/** Body of `POST /v1/admin/tenants`. */
export class CreateTenantDto {
  @ApiProperty({ maxLength: MAX_TENANT_NAME_LENGTH, example: 'Acme Inc.' })
  name!: string;

  @ApiPropertyOptional({
    maxLength: 128,
    example: 'cus_42',
    description:
      'The platform\u2019s own id for the tenant: unique, letters, digits and `._:-`, not starting with `ten_`; ' +
      'usable wherever the tenant id is.',
  })
  uid?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { plan: 'pro' } })
  metadata?: Record<string, string>;
}

/** A tenant. */
export class TenantDto {
  @ApiProperty({ example: 'ten_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  id!: string;

  @ApiProperty({ enum: ['tenant'] })
  object!: 'tenant';

  @ApiProperty({ example: 'Acme Inc.' })
  name!: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'cus_42' })
  uid!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { plan: 'pro' } })
  metadata!: Record<string, string>;

  @ApiProperty({ ...NULLABLE_INSTANT, description: 'Since when the tenant is disabled; null while enabled.' })
  disabled_at!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: 'unpaid' })
  disabled_reason!: string | null;

  @ApiProperty(CREATED_PROPERTY)
  created!: number | string;
}

/** Body of `PUT /v1/admin/tenants/{id}/retention`. */
export class SetTenantRetentionDto {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: MAX_RETENTION_DAYS,
    example: 7,
    description:
      "Days the tenant's records are kept; null for the platform's retention (only shorter counts).",
  })
  retention_days!: number | null;
}

/** How long a tenant's records are kept. */
export class TenantRetentionDto {
  @ApiProperty({ enum: ['tenant_retention'] })
  object!: 'tenant_retention';

  @ApiProperty({ example: 'ten_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  tenant_id!: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 7 })
  retention_days!: number | null;
}

/** Body of `POST /v1/admin/tenants/{id}/api-keys`. */
export class CreateApiKeyDto {
  @ApiPropertyOptional({ maxLength: MAX_KEY_NAME_LENGTH, default: 'default', example: 'production' })
  name?: string;
}

/** An API key, as listings show it: only its first characters. */
export class ApiKeyDto {
  @ApiProperty({ example: 'key_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  id!: string;

  @ApiProperty({ enum: ['api_key'] })
  object!: 'api_key';

  @ApiProperty({ example: 'ten_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  tenant_id!: string;

  @ApiProperty({ example: 'production' })
  name!: string;

  @ApiProperty({ example: 'hl_sk_Xy3Qa9', description: 'First characters of the key, to tell keys apart.' })
  prefix!: string;

  @ApiProperty(CREATED_PROPERTY)
  created!: number | string;

  @ApiProperty(NULLABLE_INSTANT)
  last_used_at!: string | null;

  @ApiProperty(NULLABLE_INSTANT)
  revoked_at!: string | null;
}

/** A freshly minted key: `key` is shown only in this answer. */
export class MintedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ example: 'hl_sk_Xy3Qa9…', description: 'The key itself; shown only now and not stored.' })
  key!: string;
}

/** Every key of a tenant. */
export class ApiKeyListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [ApiKeyDto] })
  data!: ApiKeyDto[];

  @ApiProperty({ enum: [false] })
  has_more!: false;
}

/** Answer to a republish of every endpoint. */
export class RepublishResultDto {
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 42,
    description: 'Endpoints written to the changelog.',
  })
  count!: number;
}
