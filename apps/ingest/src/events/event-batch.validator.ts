import { findUnstorableText, type RawEvent, validateRawEvent } from '@hookline/events';
import {
  type FieldProblem,
  fieldInBatch,
  isPlainObject,
  MAX_NESTING_DEPTH,
  tooDeepField,
} from './ingest-body.reader';

/** Every event valid, or every problem found. */
export type BatchValidation =
  | { readonly kind: 'valid'; readonly events: RawEvent[] }
  | { readonly kind: 'invalid'; readonly message: string; readonly fields: FieldProblem[] };

/** Validates every event, naming each problem by its field (prefixed with the index in a batch). */
export function validateEvents(
  inputs: readonly unknown[],
  batch: boolean,
  requestKey: string | undefined,
): { kind: 'valid'; events: RawEvent[] } | { kind: 'invalid'; message: string; fields: FieldProblem[] } {
  const fields: FieldProblem[] = [];
  const events: RawEvent[] = [];
  let invalidEvents = 0;
  inputs.forEach((input, index) => {
    const at = (field: string) => (batch ? fieldInBatch(index, field) : field);
    // Only an object can be an event; anything else is refused by the schema at its root, unread.
    const object = isPlainObject(input);
    const deep = object ? tooDeepField(input) : undefined;
    if (deep !== undefined) {
      invalidEvents += 1;
      fields.push({ field: at(deep), message: `nests deeper than ${MAX_NESTING_DEPTH} levels` });
      return;
    }
    const result = validateRawEvent(input);
    // Postgres stores events and idempotency keys: text it cannot hold is refused here, not there.
    const unstorable = object ? findUnstorableText(input, { maxDepth: MAX_NESTING_DEPTH }) : [];
    if (result.ok && unstorable.length === 0) {
      events.push(result.value);
      return;
    }
    invalidEvents += 1;
    if (!result.ok)
      fields.push(...result.errors.map((issue) => ({ field: at(issue.field), message: issue.message })));
    fields.push(...unstorable.map((problem) => ({ field: at(problem.field), message: problem.message })));
  });
  if (fields.length === 0) fields.push(...crossEventProblems(events, batch, requestKey));
  if (fields.length === 0) return { kind: 'valid', events };
  const message = batch
    ? `${Math.max(invalidEvents, 1)} of ${inputs.length} events are invalid; none was accepted`
    : 'the event is invalid';
  return { kind: 'invalid', message, fields };
}

/** Problems that only show across events: reused ids and reused idempotency keys. */
function crossEventProblems(
  events: readonly RawEvent[],
  batch: boolean,
  requestKey: string | undefined,
): FieldProblem[] {
  if (!batch) {
    const own = events[0]?.request?.idempotency_key;
    return requestKey !== undefined && own != null && own !== requestKey
      ? [{ field: 'request.idempotency_key', message: 'differs from the Idempotency-Key header' }]
      : [];
  }
  const problems: FieldProblem[] = [];
  const firstWithId = new Map<string, number>();
  const firstWithKey = new Map<string, number>();
  events.forEach((event, index) => {
    if (event.id !== undefined) {
      const earlier = firstWithId.get(event.id);
      if (earlier === undefined) firstWithId.set(event.id, index);
      else
        problems.push({ field: fieldInBatch(index, 'id'), message: `is also the id of events[${earlier}]` });
    }
    const key = event.request?.idempotency_key;
    if (key == null) return;
    const field = fieldInBatch(index, 'request.idempotency_key');
    const earlier = firstWithKey.get(key);
    if (key === requestKey) {
      problems.push({
        field,
        message: 'must differ from the Idempotency-Key header, which covers the whole batch',
      });
    } else if (earlier !== undefined) {
      problems.push({ field, message: `is also the idempotency key of events[${earlier}]` });
    } else {
      firstWithKey.set(key, index);
    }
  });
  return problems;
}
