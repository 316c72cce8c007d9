import type { ApiPropertyOptions, SchemaObject } from '@nestjs/swagger';

/** Name of the schema of `created` (and `updated`) in the OpenAPI document. */
export const CREATED_TIME_SCHEMA = 'CreatedTime';

/**
 * `created` follows the deployment's preset, so its schema is named once and defined by the document
 * builder for that preset (see `createdTimeSchema`): every generated client gets one plain type.
 */
export const CREATED_PROPERTY: ApiPropertyOptions = {
  allOf: [{ $ref: `#/components/schemas/${CREATED_TIME_SCHEMA}` }],
};

/** The `CreatedTime` schema for a preset's `created` format. */
export function createdTimeSchema(format: 'unix' | 'iso8601'): SchemaObject {
  return format === 'unix'
    ? {
        type: 'integer',
        format: 'int64',
        description: 'Unix seconds, as this deployment (preset) renders `created`.',
        example: 1640995200,
      }
    : {
        type: 'string',
        format: 'date-time',
        description: 'ISO 8601 in UTC with whole seconds, as this deployment (preset) renders `created`.',
        example: '2024-01-15T10:30:00Z',
      };
}

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
