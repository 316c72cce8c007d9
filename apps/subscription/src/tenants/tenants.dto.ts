import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NULLABLE_INSTANT } from '../listing/api-schema.fragments';
import { MAX_OPERATOR_KEY_NAME_LENGTH } from '../keys/operator-keys.service';
import { TenantDto } from '../keys/admin.dto';
import { CREATED_PROPERTY } from '@hookline/observability';
import { MAX_DISABLED_REASON_LENGTH, MAX_TENANT_NAME_LENGTH, MAX_TENANT_UID_LENGTH } from './tenants.service';

/** Body of `PATCH /v1/admin/tenants/{id}`: the fields given change, the others stay. */
export class UpdateTenantDto {
  @ApiPropertyOptional({ maxLength: MAX_TENANT_NAME_LENGTH, example: 'Acme Inc.' })
  name?: string;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    maxLength: MAX_TENANT_UID_LENGTH,
    example: 'cus_42',
    description:
      'The platform\u2019s own id for the tenant (unique, not starting with `ten_`); null removes it.',
  })
  uid?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Replaces the metadata whole.',
  })
  metadata?: Record<string, string>;
}

/** Body of `POST /v1/admin/tenants/{id}/disable`. */
export class DisableTenantDto {
  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    maxLength: MAX_DISABLED_REASON_LENGTH,
    example: 'unpaid',
  })
  reason?: string | null;
}

/** One page of tenants, newest first. */
export class TenantListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [TenantDto] })
  data!: TenantDto[];

  @ApiProperty({ description: 'Whether another page follows; pass the last id as `starting_after`.' })
  has_more!: boolean;
}

/** Answer to deleting a tenant. */
export class DeletedTenantDto {
  @ApiProperty({ example: 'ten_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  id!: string;

  @ApiProperty({ enum: ['tenant'] })
  object!: 'tenant';

  @ApiProperty({ enum: [true] })
  deleted!: true;

  @ApiProperty({ type: 'integer', format: 'int32', description: 'Endpoints deleted with it.' })
  endpoints_deleted!: number;
}

/** Body of `POST /v1/admin/operator-keys`. */
export class CreateOperatorKeyDto {
  @ApiProperty({ maxLength: MAX_OPERATOR_KEY_NAME_LENGTH, example: 'ci-deploy' })
  name!: string;
}

/** An operator key, as listings show it: only its first characters. */
export class OperatorKeyDto {
  @ApiProperty({ example: 'opk_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  id!: string;

  @ApiProperty({ enum: ['operator_key'] })
  object!: 'operator_key';

  @ApiProperty({ example: 'ci-deploy' })
  name!: string;

  @ApiProperty({ example: 'hlo_sk_Xy3Qa', description: 'First characters of the key, to tell keys apart.' })
  prefix!: string;

  @ApiProperty(CREATED_PROPERTY)
  created!: number | string;

  @ApiProperty(NULLABLE_INSTANT)
  last_used_at!: string | null;

  @ApiProperty(NULLABLE_INSTANT)
  revoked_at!: string | null;
}

/** A freshly minted operator key: `key` is shown only in this answer. */
export class MintedOperatorKeyDto extends OperatorKeyDto {
  @ApiProperty({ example: 'hlo_sk_Xy3Qa9…', description: 'The key itself; shown only now and not stored.' })
  key!: string;
}

/** Every operator key. */
export class OperatorKeyListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [OperatorKeyDto] })
  data!: OperatorKeyDto[];

  @ApiProperty({ enum: [false] })
  has_more!: false;
}
