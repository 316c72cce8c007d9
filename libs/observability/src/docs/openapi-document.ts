import type { ApiPropertyOptions, OpenAPIObject, SchemaObject } from '@nestjs/swagger';

/** Name of the schema of `created` (and `updated`) in every service's OpenAPI document. */
export const CREATED_TIME_SCHEMA = 'CreatedTime';

/**
 * `created` follows the deployment's preset, so its schema is named once and defined by
 * {@link finishApiDocument} for that preset: every generated client gets one plain type.
 */
export const CREATED_PROPERTY: ApiPropertyOptions = {
  allOf: [{ $ref: `#/components/schemas/${CREATED_TIME_SCHEMA}` }],
};

/** Operation ids of the form `<controller without "Controller">_<method>`, e.g. `Webhooks_create`. */
export function operationId(controllerKey: string, methodKey: string): string {
  return `${controllerKey.replace(/Controller$/, '')}_${methodKey}`;
}

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

/**
 * Completes a generated document for the deployment: defines `CreatedTime` for its preset, and
 * replaces each property that is only `allOf: [{ $ref }]` (what the decorators produce for a named
 * schema) by the plain `$ref`, which every generator reads as the named type itself.
 */
export function finishApiDocument(document: OpenAPIObject, createdFormat: 'unix' | 'iso8601'): OpenAPIObject {
  const schemas = ((document.components ??= {}).schemas ??= {});
  schemas[CREATED_TIME_SCHEMA] = createdTimeSchema(createdFormat);
  for (const schema of Object.values(schemas)) {
    const properties = (schema as SchemaObject).properties ?? {};
    for (const [name, property] of Object.entries(properties)) {
      const allOf = (property as SchemaObject).allOf;
      if (Object.keys(property).length === 1 && allOf?.length === 1) properties[name] = allOf[0];
    }
  }
  return document;
}
