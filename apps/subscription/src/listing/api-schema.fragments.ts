import type { ApiPropertyOptions } from '@nestjs/swagger';

/**
 * OpenAPI fragments shared by the DTOs. `created` follows the deployment's preset: unix seconds
 * (`1640995200`) or ISO 8601 without milliseconds (`2024-01-15T10:30:00Z`).
 */
export const CREATED_PROPERTY: ApiPropertyOptions = {
  description: "Creation time in the deployment's format: unix seconds or ISO 8601 (UTC, whole seconds).",
  oneOf: [
    { type: 'integer', example: 1640995200 },
    { type: 'string', format: 'date-time', example: '2024-01-15T10:30:00Z' },
  ],
};

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
