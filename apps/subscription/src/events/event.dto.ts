import { ApiProperty } from '@nestjs/swagger';
import { CREATED_PROPERTY } from '@hookline/observability';

/** An event type of the catalogue. */
export class EventTypeDto {
  @ApiProperty({ example: 'user.created' })
  type!: string;

  @ApiProperty({ enum: ['event_type'] })
  object!: 'event_type';

  @ApiProperty({ example: 'user', description: 'First segment; `user.*` subscribes to the whole group.' })
  group!: string;

  @ApiProperty({ example: 'authentication' })
  category!: string;

  @ApiProperty({ example: 'A new user is created' })
  description!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "JSON Schema of the event's `data`.",
  })
  schema!: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'A valid `data`, as test events send.',
  })
  sample!: Record<string, unknown>;
}

/** The whole catalogue. */
export class EventTypeListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [EventTypeDto] })
  data!: EventTypeDto[];

  @ApiProperty({ enum: [false] })
  has_more!: false;
}

/** The originating request of an event. */
export class EventRequestDto {
  @ApiProperty({ type: 'string', nullable: true, example: 'req_xyz789' })
  id!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: 'key_unique_123' })
  idempotency_key!: string | null;
}

/** A stored event: the envelope as delivered, without the per-delivery `pending_webhooks`. */
export class EventDto {
  @ApiProperty({ example: 'evt_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  id!: string;

  @ApiProperty({ example: 'user.created' })
  type!: string;

  @ApiProperty(CREATED_PROPERTY)
  created!: number | string;

  @ApiProperty({ example: '2024-01-01' })
  api_version!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true })
  previous_attributes!: Record<string, unknown>;

  @ApiProperty({ type: EventRequestDto, nullable: true })
  request!: EventRequestDto | null;

  @ApiProperty({ description: '`false` for test events.' })
  livemode!: boolean;

  @ApiProperty({
    required: false,
    format: 'date-time',
    description: 'Set once the payload was expunged: `data` and `previous_attributes` are then empty.',
  })
  expunged_at?: string;
}

/** What expunging an event did. */
export class ExpungedEventDto {
  @ApiProperty({ example: 'evt_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  id!: string;

  @ApiProperty({ enum: ['event'] })
  object!: 'event';

  @ApiProperty({ format: 'date-time', description: 'When the payload was first expunged.' })
  expunged_at!: string;

  @ApiProperty({
    type: 'integer',
    description: 'Deliveries still to be attempted that were closed as `skipped`.',
  })
  deliveries_stopped!: number;
}

/** One page of events, newest first. */
export class EventListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [EventDto] })
  data!: EventDto[];

  @ApiProperty({ type: 'boolean' })
  has_more!: boolean;
}
