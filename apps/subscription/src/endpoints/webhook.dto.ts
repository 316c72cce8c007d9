import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CREATED_PROPERTY } from '@hookline/observability';
import { NULLABLE_INSTANT, STRING_MAP } from '../listing/api-schema.fragments';
import {
  CLEARABLE_FIELDS,
  HEADER_LIMITS,
  MAX_DESCRIPTION_LENGTH,
  MAX_EVENT_PATTERNS,
  MAX_URL_LENGTH,
  METADATA_LIMITS,
  SECRET_LENGTH,
} from './endpoint-input.validator';

const URL_DOC = `Absolute https URL (http only where the deployment allows it), at most ${MAX_URL_LENGTH} characters, without credentials, whitespace or control characters. In production the host may not be an internal address written literally (loopback, private, link-local, cloud metadata, … in any notation) nor \`localhost\`; the error names the class of address, and delivery refuses hosts that resolve to one.`;
const EVENTS_DOC = 'Event types to receive: exact types (`user.created`), group wildcards (`user.*`) or `*`.';
const HEADERS_DOC =
  `Extra headers sent with every delivery (at most ${HEADER_LIMITS.maxHeaders}; values 1–${HEADER_LIMITS.maxValueLength} visible ASCII characters). Reserved: ` +
  '`X-<Brand>-*`, `webhook-*`, `User-Agent`, `Content-Type`, `Content-Length`, `Content-Encoding`, `Host`, ' +
  '`Connection`, `Keep-Alive`, `Transfer-Encoding`, `TE`, `Trailer`, `Upgrade`, `Expect`. Values of ' +
  'credential-like headers (`Authorization`, `*-Token`, `*-Secret`, …) are shown as `[redacted]`; sending ' +
  '`[redacted]` back keeps the stored value.';
const METADATA_DOC = `Your own key–value pairs: at most ${METADATA_LIMITS.maxKeys} keys of 1–${METADATA_LIMITS.maxKeyLength} characters, string values of at most ${METADATA_LIMITS.maxValueLength}.`;
const SECRET_DOC = `Signing secret: ${SECRET_LENGTH.min}–${SECRET_LENGTH.max} printable ASCII characters, or \`whsec_\` + base64 of 24–64 bytes.`;
// Generated clients send `null`, `[]` or `{}` for every optional field they were not asked to set.
const UNSET_DOC = '`null` or absent: unchanged.';
const UNSET_CONTAINER_DOC = '`null`, empty or absent: unchanged (to empty it, name it in `clear`).';

const URL_SCHEMA = { type: 'string', minLength: 1, maxLength: MAX_URL_LENGTH } as const;
const EVENTS_SCHEMA = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 200 },
  maxItems: MAX_EVENT_PATTERNS,
} as const;
const METADATA_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'string', maxLength: METADATA_LIMITS.maxValueLength },
  maxProperties: METADATA_LIMITS.maxKeys,
} as const;
const HEADERS_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'string', minLength: 1, maxLength: HEADER_LIMITS.maxValueLength },
  maxProperties: HEADER_LIMITS.maxHeaders,
} as const;
const SECRET_SCHEMA = { type: 'string', minLength: SECRET_LENGTH.min, maxLength: SECRET_LENGTH.max } as const;

/** Body of `POST /v1/webhooks`. Optional fields that are `null` or empty take their defaults. */
export class CreateWebhookDto {
  @ApiProperty({ ...URL_SCHEMA, example: 'https://your-app.com/webhooks/hackmamba', description: URL_DOC })
  url!: string;

  @ApiProperty({
    ...EVENTS_SCHEMA,
    minItems: 1,
    example: ['user.created', 'user.updated'],
    description: EVENTS_DOC,
  })
  events!: string[];

  @ApiPropertyOptional({
    ...SECRET_SCHEMA,
    nullable: true,
    example: 'your-webhook-secret',
    description: `${SECRET_DOC} Generated (\`whsec_\`, 32 bytes) when \`null\` or absent.`,
  })
  secret?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    maxLength: MAX_DESCRIPTION_LENGTH,
    example: 'Main application webhook',
    description: `Free text, at most ${MAX_DESCRIPTION_LENGTH} characters.`,
  })
  description?: string | null;

  @ApiPropertyOptional({
    ...METADATA_SCHEMA,
    nullable: true,
    description: METADATA_DOC,
    example: { environment: 'production', version: '1.0' },
  })
  metadata?: Record<string, string> | null;

  @ApiPropertyOptional({
    ...HEADERS_SCHEMA,
    nullable: true,
    description: HEADERS_DOC,
    example: { 'X-Custom-Header': 'value' },
  })
  headers?: Record<string, string> | null;

  @ApiPropertyOptional({
    type: 'boolean',
    nullable: true,
    default: true,
    description: 'Whether deliveries are sent; `true` when `null` or absent.',
  })
  active?: boolean | null;
}

/**
 * Body of `PUT` and `PATCH /v1/webhooks/{id}`. Both change only the fields given and leave the others
 * as they are; a field given is replaced whole (`metadata` and `headers` included, nothing merges).
 * `null`, `[]` and `{}` count as not given; `clear` empties a field.
 */
export class UpdateWebhookDto {
  @ApiPropertyOptional({ ...URL_SCHEMA, nullable: true, description: `${URL_DOC} ${UNSET_DOC}` })
  url?: string | null;

  @ApiPropertyOptional({
    ...EVENTS_SCHEMA,
    nullable: true,
    example: ['user.created', 'user.updated', 'user.deleted'],
    description: `${EVENTS_DOC} Replaces the list. \`null\`, empty or absent: unchanged.`,
  })
  events?: string[] | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    maxLength: MAX_DESCRIPTION_LENGTH,
    description: `Free text, at most ${MAX_DESCRIPTION_LENGTH} characters. \`null\` or absent: unchanged (to remove it, name it in \`clear\`).`,
  })
  description?: string | null;

  @ApiPropertyOptional({
    ...METADATA_SCHEMA,
    nullable: true,
    description: `${METADATA_DOC} Replaces the whole map. ${UNSET_CONTAINER_DOC}`,
  })
  metadata?: Record<string, string> | null;

  @ApiPropertyOptional({
    ...HEADERS_SCHEMA,
    nullable: true,
    description: `${HEADERS_DOC} Replaces the whole map. ${UNSET_CONTAINER_DOC}`,
  })
  headers?: Record<string, string> | null;

  @ApiPropertyOptional({
    type: 'boolean',
    nullable: true,
    description: `Whether deliveries are sent; \`false\` disables the endpoint. ${UNSET_DOC}`,
  })
  active?: boolean | null;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: [...CLEARABLE_FIELDS] },
    uniqueItems: true,
    nullable: true,
    example: ['metadata'],
    description:
      'Fields to empty: `description` becomes `null`, `metadata` and `headers` become `{}`. A field named ' +
      'here must not also be given a value. `null`, empty or absent: nothing is cleared.',
  })
  clear?: Array<(typeof CLEARABLE_FIELDS)[number]> | null;
}

/** Body of `POST /v1/webhooks/{id}/rotate-secret`. */
export class RotateSecretDto {
  @ApiPropertyOptional({
    ...SECRET_SCHEMA,
    nullable: true,
    description: 'The new secret (same rules as at creation); generated when `null` or absent.',
  })
  secret?: string | null;
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

  @ApiProperty({ ...STRING_MAP, description: 'Your own key–value pairs.' })
  metadata!: Record<string, string>;

  @ApiProperty({
    ...STRING_MAP,
    description: 'Custom headers; credential-like values shown as `[redacted]`.',
  })
  headers!: Record<string, string>;

  @ApiProperty({ type: 'boolean' })
  active!: boolean;

  @ApiProperty({ type: 'string', nullable: true, description: 'Why the endpoint was disabled, when it is.' })
  disabled_reason!: string | null;

  @ApiProperty({ ...NULLABLE_INSTANT, description: 'When the endpoint was disabled, when it is.' })
  disabled_at!: string | null;

  @ApiProperty({
    ...NULLABLE_INSTANT,
    description: 'Until when the secret replaced by the last rotation still signs deliveries.',
  })
  previous_secret_expires_at!: string | null;

  @ApiProperty({ type: 'integer', format: 'int32', description: 'Increases with every change.', example: 1 })
  version!: number;

  @ApiProperty(CREATED_PROPERTY)
  created!: number | string;

  /** Time of the last change, in the same format as `created`. */
  @ApiProperty(CREATED_PROPERTY)
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

/** An endpoint's signing secret, as `GET /v1/webhooks/{id}/secret` reveals it. */
export class WebhookSecretDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The current signing secret.',
  })
  secret!: string;

  @ApiProperty({
    ...NULLABLE_INSTANT,
    description: 'Until when the secret replaced by the last rotation still signs deliveries.',
  })
  previous_secret_expires_at!: string | null;
}

/** One page of webhook endpoints, newest first. */
export class WebhookListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [WebhookDto] })
  data!: WebhookDto[];

  @ApiProperty({
    type: 'boolean',
    description: 'Whether another page follows; pass the last id as `starting_after`.',
  })
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
