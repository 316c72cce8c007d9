/** One thing wrong with a request, named by the field it concerns (`events[3].data.email`, `$`). */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** What a body asks ingest to accept, or why it cannot be read as events at all. */
export type EventsBody =
  | { readonly kind: 'single'; readonly event: unknown }
  | { readonly kind: 'batch'; readonly events: readonly unknown[] }
  | { readonly kind: 'unreadable'; readonly problem: FieldProblem };

/** Outcome of decoding the bytes of a request body or of an ingest-topic message. */
export type JsonDecoding =
  | { readonly kind: 'decoded'; readonly value: unknown }
  | { readonly kind: 'malformed'; readonly message: string };

/**
 * How deep an event may nest. Far beyond any real payload, yet it keeps hashing and serialising (both
 * recursive) clear of the stack limit that a 256 KiB body of `[[[[...` would otherwise reach.
 */
export const MAX_NESTING_DEPTH = 64;

const BATCH_SHAPES = 'a JSON object (one event), an array of events, or {"events": [...]}';

/** Parses UTF-8 JSON bytes; the error names what is wrong without echoing the input. */
export function decodeJson(bytes: Uint8Array | null | undefined): JsonDecoding {
  if (!bytes || bytes.length === 0) return { kind: 'malformed', message: 'body is empty; expected JSON' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { kind: 'malformed', message: 'body is not valid UTF-8' };
  }
  try {
    return { kind: 'decoded', value: JSON.parse(text) };
  } catch (error) {
    return { kind: 'malformed', message: `body is not valid JSON: ${(error as Error).message}` };
  }
}

/** Tells a single event from a batch (a bare array or `{ "events": [...] }`). */
export function readEventsBody(body: unknown): EventsBody {
  if (Array.isArray(body)) return { kind: 'batch', events: body };
  if (!isPlainObject(body)) {
    return {
      kind: 'unreadable',
      problem: { field: '$', message: `must be ${BATCH_SHAPES}, got ${describe(body)}` },
    };
  }
  if (!Object.hasOwn(body, 'events')) return { kind: 'single', event: body };
  const extra = Object.keys(body).filter((key) => key !== 'events');
  if (extra.length > 0) {
    return {
      kind: 'unreadable',
      problem: { field: extra[0], message: 'a batch object may hold only "events"' },
    };
  }
  const events = body.events;
  if (!Array.isArray(events)) {
    return {
      kind: 'unreadable',
      problem: { field: 'events', message: `must be an array, got ${describe(events)}` },
    };
  }
  return { kind: 'batch', events };
}

/**
 * The first top-level field of `event` that nests deeper than `maxDepth`, or `undefined`. Iterative,
 * so hostile input cannot overflow the stack while being measured.
 */
export function tooDeepField(event: unknown, maxDepth = MAX_NESTING_DEPTH): string | undefined {
  if (!isContainer(event)) return undefined;
  const stack: Array<{ value: unknown; depth: number; field: string }> = Object.entries(event).map(
    ([key, value]) => ({ value, depth: 2, field: Array.isArray(event) ? `[${key}]` : key }),
  );
  while (stack.length > 0) {
    const { value, depth, field } = stack.pop()!;
    if (!isContainer(value)) continue;
    if (depth > maxDepth) return field;
    for (const child of Object.values(value)) stack.push({ value: child, depth: depth + 1, field });
  }
  return undefined;
}

/** Roots a field path of one event at its place in a batch: `data.email` → `events[3].data.email`. */
export function fieldInBatch(index: number, field: string): string {
  const root = `events[${index}]`;
  if (field === '$' || field === '') return root;
  return field.startsWith('[') ? root + field : `${root}.${field}`;
}

/** Whether `value` is a JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
