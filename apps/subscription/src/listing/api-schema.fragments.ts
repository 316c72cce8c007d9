import type { ApiPropertyOptions } from '@nestjs/swagger';

/** An object of string values. */
export const STRING_MAP = {
  type: 'object',
  additionalProperties: { type: 'string' },
} as const satisfies ApiPropertyOptions;

/** A nullable ISO 8601 instant. */
export const NULLABLE_INSTANT: ApiPropertyOptions = {
  type: 'string',
  format: 'date-time',
  nullable: true,
};
