/**
 * The shapes of `POST /v1/events` as the OpenAPI document names them. The controller reads the raw
 * body itself (see `decodeJson`), so these classes only describe it; the rules live in the validators.
 */
import { EVENT_ID_PATTERN } from '@hookline/events';
import { CREATED_PROPERTY } from '@hookline/observability';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ApiErrorType } from './ingest-problem';

/** The request that caused an event. */
export class EventRequestDto {
  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    maxLength: 255,
    example: 'req_xyz789',
    description:
      'Id of the API request; the `X-Request-Id` header, else `req_` + ULID, when `null` or absent.',
  })
  id?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    maxLength: 255,
    example: 'key_unique_123',
    description:
      "The event's own idempotency key: within `INGEST_IDEMPOTENCY_TTL` a repeat answers with the original id.",
  })
  idempotency_key?: string | null;
}

/** One event as a producer sends it; Hookline completes the envelope. */
export class IngestEventDto {
  @ApiProperty({
    type: 'string',
    minLength: 1,
    maxLength: 200,
    example: 'user.created',
    description: 'An event type of the catalogue (`GET /v1/event-types` on the subscription API).',
  })
  type!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { id: 'user_42', email: 'ada@example.com', name: 'Ada' },
    description: "The event's object, checked against its type's JSON Schema.",
  })
  data!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'string',
    pattern: EVENT_ID_PATTERN.source,
    example: 'evt_01JD6Y4N2Q8ZP1T3V5W7X9A0BC',
    description: 'Your own `evt_` id, which makes a resend idempotent; minted when absent.',
  })
  id?: string;

  @ApiPropertyOptional({ type: 'boolean', default: true, description: '`false` for test events.' })
  livemode?: boolean;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    default: {},
    description: 'Changed values, for `*.updated` events.',
  })
  previous_attributes?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: EventRequestDto,
    nullable: true,
    description: 'The API request that caused the event; `null` when none did.',
  })
  request?: EventRequestDto | null;

  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: 200,
    example: 'user_42',
    description:
      'What the event is about; events of one tenant with the same subject keep their order. Defaults to `data.id`.',
  })
  subject?: string;
}

/** A batch in its object form. */
export class IngestEventBatchDto {
  @ApiProperty({
    type: [IngestEventDto],
    minItems: 1,
    description: 'The events, accepted all or none, at most `INGEST_MAX_BATCH` (see `maxItems`).',
  })
  events!: IngestEventDto[];
}

/** The answer to a single event. */
export class AcceptedEventDto {
  @ApiProperty({ example: 'evt_01JD6Y4N2Q8ZP1T3V5W7X9A0BC' })
  id!: string;

  @ApiProperty({ example: 'user.created' })
  type!: string;

  @ApiProperty(CREATED_PROPERTY)
  created!: number | string;
}

/** One event of an accepted batch. */
export class AcceptedEventRefDto {
  @ApiProperty({ example: 'evt_01JD6Y4N2Q8ZP1T3V5W7X9A0BC' })
  id!: string;

  @ApiProperty({ example: 'user.created' })
  type!: string;
}

/** The answer to a batch: every event, in request order. */
export class AcceptedBatchDto {
  @ApiProperty({ type: [AcceptedEventRefDto] })
  data!: AcceptedEventRefDto[];
}

/** One invalid field. */
export class IngestFieldErrorDto {
  @ApiProperty({ example: 'events[3].data.email', description: 'Path of the field, prefixed in a batch.' })
  field!: string;

  @ApiProperty({ example: 'must match format "email"' })
  message!: string;
}

const ERROR_TYPES: readonly ApiErrorType[] = [
  'authentication_failed',
  'rate_limited',
  'malformed_json',
  'unsupported_media_type',
  'invalid_header',
  'payload_too_large',
  'batch_too_large',
  'validation_failed',
  'idempotency_key_reused',
  'idempotency_key_in_use',
  'service_unavailable',
  'not_found',
  'bad_request',
  'internal_error',
];

/** The error itself. */
export class IngestErrorDetailDto {
  @ApiProperty({ enum: ERROR_TYPES, enumName: 'IngestErrorType' })
  type!: ApiErrorType;

  @ApiProperty({ example: '1 of 4 events are invalid; none was accepted' })
  message!: string;

  @ApiPropertyOptional({ type: [IngestFieldErrorDto], description: 'Every invalid field or header.' })
  fields?: IngestFieldErrorDto[];
}

/** Body of every error answer. */
export class IngestErrorBodyDto {
  @ApiProperty({ type: IngestErrorDetailDto })
  error!: IngestErrorDetailDto;
}
