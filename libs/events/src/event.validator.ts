import type { ValidateFunction } from 'ajv';
import { catalogue } from './event.catalogue';
import { rawEventSchema, type RawEvent } from './raw-event';
import { collectIssues, compileSchema, type ValidationIssue, type ValidationResult } from './schema.compiler';
import { webhookEventSchema, type WebhookEvent } from './webhook-event.envelope';

// Compiled once at module load: validation sits on the ingest hot path.
const dataValidators = new Map<string, ValidateFunction>(
  catalogue.map((definition) => [definition.type, compileSchema(definition.schema)]),
);
const rawEventValidator = compileSchema(rawEventSchema);
const webhookEventValidator = compileSchema(webhookEventSchema);

/**
 * Checks `data` against the schema of event type `type`. Issues are rooted at `data`
 * (`data.email`); an unknown type is a single issue naming `type`.
 */
export function validateEventData(type: string, data: unknown): ValidationResult<Record<string, unknown>> {
  const issues = dataIssues(type, data);
  return issues.length === 0
    ? { ok: true, value: data as Record<string, unknown> }
    : { ok: false, errors: issues };
}

/**
 * Checks what a domain service sent to ingest: the raw-event shape, that the type is in the
 * catalogue, and `data` against that type's schema, reporting every problem at once.
 */
export function validateRawEvent(input: unknown): ValidationResult<RawEvent> {
  const issues = collectIssues(rawEventValidator, input);
  if (isRecord(input) && typeof input.type === 'string' && input.type.length > 0) {
    // A malformed `data` is already reported by the raw-event schema; only the type can add news then.
    issues.push(
      ...(isRecord(input.data) ? dataIssues(input.type, input.data) : unknownTypeIssues(input.type)),
    );
  }
  return issues.length === 0 ? { ok: true, value: input as RawEvent } : { ok: false, errors: issues };
}

/** Checks a complete envelope (as a receiver or a test would), including `data` against its type. */
export function validateWebhookEvent(input: unknown): ValidationResult<WebhookEvent> {
  const issues = collectIssues(webhookEventValidator, input);
  if (isRecord(input) && typeof input.type === 'string' && isRecord(input.data)) {
    issues.push(...dataIssues(input.type, input.data));
  }
  return issues.length === 0 ? { ok: true, value: input as WebhookEvent } : { ok: false, errors: issues };
}

function dataIssues(type: string, data: unknown): ValidationIssue[] {
  const validate = dataValidators.get(type);
  return validate ? collectIssues(validate, data, 'data') : unknownTypeIssues(type);
}

function unknownTypeIssues(type: string): ValidationIssue[] {
  return dataValidators.has(type)
    ? []
    : [{ field: 'type', message: `unknown event type ${JSON.stringify(type)}` }];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
