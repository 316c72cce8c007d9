import type { FieldErrors } from '../errors/domain.errors';

/** Items per page when `limit` is not given. */
export const DEFAULT_PAGE_LIMIT = 10;
/** Most items one page may hold. */
export const MAX_PAGE_LIMIT = 100;

/** Raw paging and filtering input, as a transport received it; the use cases validate it. */
export interface ListInput {
  /** 1–100; default 10. */
  readonly limit?: unknown;
  /** Id of the last item of the previous page; the page continues after it. */
  readonly startingAfter?: unknown;
  /** Only items created at or after this instant (ISO 8601 or unix seconds). */
  readonly createdGte?: unknown;
  /** Only items created at or before this instant (ISO 8601 or unix seconds). */
  readonly createdLte?: unknown;
}

/** Validated paging. */
export interface Paging {
  readonly limit: number;
  readonly startingAfter: string | undefined;
}

/** Validated creation-time window; either end may be open. */
export interface CreatedRange {
  readonly gte: Date | undefined;
  readonly lte: Date | undefined;
}

/** One page of a list, newest first; `hasMore` says whether a next page exists. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly hasMore: boolean;
}

/** Reads `limit` and `starting_after`, recording problems under those names. */
export function readPaging(input: ListInput, errors: FieldErrors): Paging {
  let limit = DEFAULT_PAGE_LIMIT;
  if (input.limit !== undefined) {
    const text = String(input.limit);
    if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_PAGE_LIMIT) {
      errors.add('limit', `must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
    } else {
      limit = Number(text);
    }
  }
  let startingAfter: string | undefined;
  if (input.startingAfter !== undefined) {
    if (
      typeof input.startingAfter !== 'string' ||
      input.startingAfter.length === 0 ||
      input.startingAfter.length > 255
    ) {
      errors.add('starting_after', 'must be the id of an item of the previous page');
    } else {
      startingAfter = input.startingAfter;
    }
  }
  return { limit, startingAfter };
}

/** Reads `created[gte]` and `created[lte]`, recording problems under those names. */
export function readCreatedRange(input: ListInput, errors: FieldErrors): CreatedRange {
  const gte = readInstant(input.createdGte, 'created[gte]', errors);
  const lte = readInstant(input.createdLte, 'created[lte]', errors);
  if (gte && lte && gte.getTime() > lte.getTime())
    errors.add('created[lte]', 'must not be before created[gte]');
  return { gte, lte };
}

/** Reads one instant field (ISO 8601 or unix seconds); `undefined` when absent or invalid. */
export function readInstant(value: unknown, field: string, errors: FieldErrors): Date | undefined {
  if (value === undefined) return undefined;
  const parsed =
    typeof value === 'string' || typeof value === 'number' ? parseInstant(String(value)) : undefined;
  if (!parsed) errors.add(field, 'must be an ISO 8601 date-time (2024-01-31T23:59:59Z) or unix seconds');
  return parsed;
}

// A date, or a date-time with seconds optional and an explicit zone: a zone-less time would be read
// in the server's local zone, which a caller cannot know.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
const UNIX_SECONDS = /^\d{1,11}$/;

/**
 * Parses an instant as the list filters accept it: ISO 8601 (`2024-01-01T00:00:00Z`,
 * `2024-01-01`, with an offset) or unix seconds (`1704067200`); `undefined` when malformed.
 */
export function parseInstant(text: string): Date | undefined {
  const trimmed = text.trim();
  if (UNIX_SECONDS.test(trimmed)) return new Date(Number(trimmed) * 1000);
  if (!ISO_INSTANT.test(trimmed) || !isCalendarDate(trimmed.slice(0, 10))) return undefined;
  const date = new Date(trimmed.length === 10 ? `${trimmed}T00:00:00Z` : trimmed);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

// `Date` quietly rolls 2024-02-30 over to March; a caller who typed it made a mistake.
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
