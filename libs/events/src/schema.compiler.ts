import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { JsonSchema } from './json-schema';

/** One reason a value was rejected. */
export interface ValidationIssue {
  /** Dotted path of the failing field, e.g. `data.email`, `data.tags[0]`, `type`; `$` for the value itself. */
  readonly field: string;
  /** What is wrong, e.g. `must match format "email"`. */
  readonly message: string;
}

/** Outcome of validating untrusted input. */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly ValidationIssue[] };

// One instance for the library: every schema is compiled once, at module load, by its owner module.
// allErrors reports every problem in one pass so a producer can fix them all at once.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);

/** Compiles a schema with the library's shared settings. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  return ajv.compile(schema);
}

/** Runs a compiled validator and turns its errors into issues rooted at `prefix` (e.g. `data`). */
export function collectIssues(validate: ValidateFunction, value: unknown, prefix = ''): ValidationIssue[] {
  if (validate(value)) return [];
  return toIssues(validate.errors ?? [], prefix);
}

function toIssues(errors: readonly ErrorObject[], prefix: string): ValidationIssue[] {
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    const issue = { field: fieldOf(error, prefix), message: error.message ?? 'is invalid' };
    const key = `${issue.field}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

// ajv reports a missing or unexpected key at its parent object; the issue should name the key itself.
function fieldOf(error: ErrorObject, prefix: string): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty !== undefined) {
    segments.push(params.missingProperty);
  } else if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
    segments.push(params.additionalProperty);
  }
  let path = prefix;
  for (const segment of segments) {
    path = /^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment;
  }
  return path || '$';
}
