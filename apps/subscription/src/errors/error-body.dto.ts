import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One invalid field. */
export class FieldErrorDto {
  @ApiProperty({
    example: 'events[0]',
    description: 'Path of the field: `url`, `events[1]`, `headers.X-Foo`, `created[gte]`.',
  })
  field!: string;

  @ApiProperty({ example: 'is not a known event type' })
  message!: string;
}

/** The error itself. */
export class ErrorDetailDto {
  @ApiProperty({
    enum: [
      'validation_error',
      'invalid_request',
      'unauthenticated',
      'rate_limited',
      'not_found',
      'conflict',
      'forbidden',
      'tenant_disabled',
      'service_unavailable',
      'internal_error',
    ],
  })
  type!: string;

  @ApiProperty({ example: 'No such webhook: wh_01J9Z3Y8Q7XW4N2B5C6D7E8F9G' })
  message!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Every invalid field, for `validation_error`.' })
  fields?: FieldErrorDto[];
}

/** Body of every error answer. */
export class ErrorBodyDto {
  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
}
