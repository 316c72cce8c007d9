import { isValidEventTypePattern, MATCH_ALL } from '@hookline/events';
import type { FieldErrors } from '../errors/domain.errors';

/**
 * Reads a list's `type` filter: an event type of the catalogue (`user.created`), a group wildcard
 * (`user.*`) or `*`; a problem is recorded under `type`. `undefined` when absent, invalid or `*`
 * (every type).
 */
export function readEventTypeFilter(value: unknown, errors: FieldErrors): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isValidEventTypePattern(value)) {
    errors.add('type', 'must be an event type of the catalogue or a wildcard such as user.*');
    return undefined;
  }
  return value === MATCH_ALL ? undefined : value;
}

/** The SQL condition selecting rows whose `column` matches the filter `type`; `param` binds a value. */
export function eventTypeCondition(column: string, type: string, param: (value: unknown) => string): string {
  if (type.endsWith('.*')) {
    const prefix = param(type.slice(0, -1));
    return `left(${column}, length(${prefix})) = ${prefix}`;
  }
  return `${column} = ${param(type)}`;
}
