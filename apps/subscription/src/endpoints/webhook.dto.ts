import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CREATED_PROPERTY, NULLABLE_INSTANT, STRING_MAP } from '../listing/api-schema.fragments';
import { MAX_DESCRIPTION_LENGTH, MAX_URL_LENGTH } from './endpoint-input.validator';

const URL_DOC = `Absolute https URL (http only where the deployment allows it), at most ${MAX_URL_LENGTH} characters, without credentials.`;
const EVENTS_DOC = 'Event types to receive: exact types (`user.created`), group wildcards (`user.*`) or `*`.';
const HEADERS_DOC =
  'Extra headers sent with every delivery (at most 20; values 1–1000 visible ASCII characters). Reserved: ' +
  '`X-<Brand>-*`, `webhook-*`, `User-Agent`, `Content-Type`, `Content-Length`, `Content-Encoding`, `Host`, ' +
  '`Connection`, `Keep-Alive`, `Transfer-Encoding`, `TE`, `Trailer`, `Upgrade`, `Expect`. Values of ' +
  'credential-like headers (`Authorization`, `*-Token`, `*-Secret`, …) are shown as `[redacted]`; sending ' +
  '`[redacted]` back keeps the stored value.';
const METADATA_DOC =
  'Your own key–value pairs: at most 50 keys of 1–40 characters, string values of at most 500.';

/** Body of `POST /v1/webhooks`. */
export class CreateWebhookDto {
  @ApiProperty({ example: 'https://your-app.com/webhooks/hackmamba', description: URL_DOC })
  url!: string;

  @ApiProperty({ type: [String], example: ['user.created', 'user.updated'], description: EVENTS_DOC })
  events!: string[];

  @ApiPropertyOptional({
    example: 'your-webhook-secret',
    description:
      'Signing secret: 8–256 printable ASCII characters, or `whsec_` + base64 of 24–64 bytes. Generated (`whsec_`, 32 bytes) when absent.',
  })
  secret?: string;

  @ApiPropertyOptional({
    nullable: true,
    maxLength: MAX_DESCRIPTION_LENGTH,
    example: 'Main application webhook',
  })
  description?: string | null;

  @ApiPropertyOptional({
    ...STRING_MAP,
    description: METADATA_DOC,
    example: { environment: 'production', version: '1.0' },
  })
  metadata?: Record<string, string>;

  @ApiPropertyOptional({ ...STRING_MAP, description: HEADERS_DOC, example: { 'X-Custom-Header': 'value' } })
  headers?: Record<string, string>;

  @ApiPropertyOptional({ default: true, description: 'Whether deliveries are sent.' })
  active?: boolean;
}

/**
 * Body of `PUT` and `PATCH /v1/webhooks/{id}`. Both change only the fields given and leave absent
 * ones as they are; a field given is replaced whole (`metadata` and `headers` included).
 */
export class UpdateWebhookDto {
  @ApiPropertyOptional({ description: URL_DOC })
  url?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['user.created', 'user.updated', 'user.deleted'],
    description: EVENTS_DOC,
  })
  events?: string[];

  @ApiPropertyOptional({ nullable: true, maxLength: MAX_DESCRIPTION_LENGTH })
  description?: string | null;

  @ApiPropertyOptional({ ...STRING_MAP, description: METADATA_DOC })
  metadata?: Record<string, string>;

  @ApiPropertyOptional({ ...STRING_MAP, description: HEADERS_DOC })
  headers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Whether deliveries are sent; `false` disables the endpoint.' })
  active?: boolean;
}

/** Body of `POST /v1/webhooks/{id}/rotate-secret`. */
export class RotateSecretDto {
  @ApiPropertyOptional({ description: 'The new secret (same rules as at creation); generated when absent.' })
  secret?: string;
}

/** A webhook endpoint. */
export class WebhookDto {
  @ApiProperty({ example: 'wh_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  id!: string;

  @ApiProperty({ enum: ['webhook_endpoint'] })
  object!: 'webhook_endpoint';

  @ApiProperty({ example: 'https://your-app.com/webhooks/hackmamba' })
  url!: string;

  @ApiProperty({ type: [String], example: ['user.created', 'user.updated'] })
  events!: string[];

  @ApiProperty({ type: 'string', nullable: true })
  description!: string | null;

  @ApiProperty({ ...STRING_MAP })
  metadata!: Record<string, string>;

  @ApiProperty({
    ...STRING_MAP,
    description: 'Custom headers; credential-like values shown as `[redacted]`.',
  })
  headers!: Record<string, string>;

  @ApiProperty()
  active!: boolean;

  @ApiProperty({ type: 'string', nullable: true, description: 'Why the endpoint was disabled, when it is.' })
  disabled_reason!: string | null;

  @ApiProperty({
    ...NULLABLE_INSTANT,
    description: 'Until when the secret replaced by the last rotation still signs deliveries.',
  })
  previous_secret_expires_at!: string | null;

  @ApiProperty({ description: 'Increases with every change.', example: 1 })
  version!: number;

  @ApiProperty(CREATED_PROPERTY)
  created!: number | string;

  @ApiProperty({
    ...CREATED_PROPERTY,
    description: 'Time of the last change, in the same format as `created`.',
  })
  updated!: number | string;
}

/** A webhook endpoint with its signing secret: only in the answers to creation and rotation. */
export class WebhookWithSecretDto extends WebhookDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Shown only now; store it.',
  })
  secret!: string;
}

/** One page of webhook endpoints, newest first. */
export class WebhookListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [WebhookDto] })
  data!: WebhookDto[];

  @ApiProperty({ description: 'Whether another page follows; pass the last id as `starting_after`.' })
  has_more!: boolean;
}

/** Answer to a deletion. */
export class DeletedWebhookDto {
  @ApiProperty({ example: 'wh_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  id!: string;

  @ApiProperty({ enum: ['webhook_endpoint'] })
  object!: 'webhook_endpoint';

  @ApiProperty({ enum: [true] })
  deleted!: true;
}
