import { DELIVERY_STATUSES } from '@hookline/persistence';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CREATED_PROPERTY } from '@hookline/observability';
import { NULLABLE_INSTANT, STRING_MAP } from '../listing/api-schema.fragments';

/** Body of `POST /v1/webhooks/{id}/test`; both parts are optional, and `null` or `{}` count as not given. */
export class TestEventDto {
  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    maxLength: 200,
    example: 'user.created',
    description:
      "Event type of the catalogue; when `null` or absent, the first type the endpoint's first subscription selects.",
  })
  type?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { id: 'test_user_123', email: 'test@example.com', name: 'Test User' },
    description:
      "The event's `data`, checked against the type's schema; when `null`, empty (`{}`) or absent, the type's sample.",
  })
  data?: Record<string, unknown> | null;
}

/** Body of `POST /v1/webhooks/{id}/recover`. */
export class RecoverDto {
  @ApiProperty({ example: '2024-01-01T00:00:00Z', description: 'ISO 8601 or unix seconds.' })
  since!: string;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    example: '2024-01-31T23:59:59Z',
    description: 'ISO 8601 or unix seconds; now when `null` or absent.',
  })
  until?: string | null;
}

/** A delivery attempt that was queued for the dispatcher. */
export class QueuedDeliveryDto {
  @ApiProperty({ example: 'delivery_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  id!: string;

  @ApiProperty({ enum: ['delivery'] })
  object!: 'delivery';

  @ApiProperty({ example: 'evt_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  event_id!: string;

  @ApiProperty({ example: 'user.created' })
  event_type!: string;

  @ApiProperty({ example: 'wh_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  endpoint_id!: string;

  @ApiProperty({ enum: ['pending'] })
  status!: 'pending';

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 1,
    description: 'Number of the attempt that was queued.',
  })
  attempt!: number;
}

/** Answer to a recovery. */
export class RecoverResultDto {
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 3,
    description: 'Failed deliveries queued again.',
  })
  count!: number;
}

/** One HTTP attempt of a delivery. */
export class DeliveryAttemptDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 1 })
  attempt!: number;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 200,
    description: 'Absent when no response came.',
  })
  status_code!: number | null;

  @ApiProperty({ type: 'integer', format: 'int32', example: 142 })
  duration_ms!: number;

  @ApiProperty({ type: 'string', nullable: true, example: 'timeout' })
  error_class!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  error_message!: string | null;

  @ApiProperty({ type: 'string', format: 'date-time' })
  started_at!: string;

  @ApiProperty({ type: 'string', format: 'date-time' })
  finished_at!: string;

  @ApiProperty({ ...STRING_MAP, description: 'Headers as sent, credentials redacted.' })
  request_headers!: Record<string, string>;

  @ApiProperty({
    ...STRING_MAP,
    nullable: true,
    description: 'Headers of the answer, credentials redacted; `null` when no answer came.',
  })
  response_headers!: Record<string, string> | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description:
      'Start of the answer body as stored (at most 16 KiB); `null` when none came or it was expunged.',
  })
  response_body!: string | null;
}

/** A delivery of one event to one endpoint. */
export class DeliveryDto {
  @ApiProperty({ example: 'delivery_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  id!: string;

  @ApiProperty({ enum: ['delivery'] })
  object!: 'delivery';

  @ApiProperty({ example: 'wh_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  endpoint_id!: string;

  @ApiProperty({ example: 'evt_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  event_id!: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'user.created' })
  event_type!: string | null;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status!: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 200,
    description: 'HTTP status of the last attempt.',
  })
  response_code!: number | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Start of the last response body (at most 16 KiB).',
  })
  response_body!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 142 })
  response_time_ms!: number | null;

  @ApiProperty({ type: 'integer', format: 'int32', example: 1 })
  attempt_count!: number;

  @ApiProperty({ ...NULLABLE_INSTANT, description: 'When the next retry is due, while `awaiting_retry`.' })
  next_attempt_at!: string | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'Why the last attempt failed, when it did.' })
  last_error!: string | null;

  @ApiProperty(CREATED_PROPERTY)
  created!: number | string;

  @ApiProperty(NULLABLE_INSTANT)
  completed_at!: string | null;
}

/** A delivery with all its attempts, oldest first. */
export class DeliveryDetailDto extends DeliveryDto {
  @ApiProperty({ type: [DeliveryAttemptDto] })
  attempts!: DeliveryAttemptDto[];
}

/** One page of deliveries, newest first. */
export class DeliveryListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [DeliveryDto] })
  data!: DeliveryDto[];

  @ApiProperty({ type: 'boolean' })
  has_more!: boolean;
}
