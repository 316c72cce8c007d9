// What counts as a failure. An answer fails when it is a server error (HTTP >= 500; gRPC INTERNAL,
// UNKNOWN, DATA_LOSS or UNAVAILABLE), when none arrives within the deadline (a hang), when the
// connection closes without one, when it is not HTTP, or when a refusal does not name its problem.
import { STATUS_CODES } from 'node:http';

/** gRPC codes that mean the server, not the request, is at fault. */
export const GRPC_SERVER_FAULTS = new Set(['INTERNAL', 'UNKNOWN', 'DATA_LOSS', 'UNAVAILABLE']);

// Texts that say only that something failed.
const GENERIC = new Set([
  'bad request',
  'error',
  'invalid request',
  'invalid',
  'internal error',
  'internal server error',
  'unknown error',
  'failed',
]);

/** Shortest message that can name a field or a problem ("url is required" has 15 characters). */
export const MIN_MESSAGE_LENGTH = 10;

/**
 * Whether a refusal names its problem. For HTTP, every part must hold:
 * 1. Content-Type is JSON (`application/json` or `…+json`);
 * 2. the body is a JSON object with an `error` object;
 * 3. `error.type` is a snake_case word;
 * 4. `error.message` is a string of at least MIN_MESSAGE_LENGTH characters once trimmed, and is
 *    neither the status's reason phrase (e.g. "Bad Request") nor another generic text;
 * 5. a 422 (invalid fields) also has `error.fields`: a non-empty list of `{ field, message }`, both
 *    non-empty strings.
 * Returns `undefined` when it does, else why not.
 */
export function unnamedHttpRefusal(status, headers, body) {
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(headers['content-type'] ?? '')) {
    return `Content-Type is ${JSON.stringify(headers['content-type'] ?? 'absent')}, not JSON (body ${JSON.stringify(body.toString('utf8').slice(0, 80))})`;
  }
  let parsed;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return `body is not JSON: ${JSON.stringify(body.toString('utf8').slice(0, 80))}`;
  }
  const error = parsed?.error;
  if (error === null || typeof error !== 'object' || Array.isArray(error))
    return 'body has no "error" object';
  if (typeof error.type !== 'string' || !/^[a-z][a-z0-9_]*$/.test(error.type))
    return `error.type ${JSON.stringify(error.type)} is not a snake_case word`;
  const generic = genericMessage(error.message, STATUS_CODES[status]);
  if (generic) return `error.message ${generic}`;
  if (status === 422) {
    const fields = error.fields;
    if (!Array.isArray(fields) || fields.length === 0) return 'a 422 without error.fields';
    const bad = fields.find(
      (f) =>
        typeof f?.field !== 'string' ||
        f.field === '' ||
        typeof f.message !== 'string' ||
        f.message.trim() === '',
    );
    if (bad) return `error.fields holds ${JSON.stringify(bad).slice(0, 80)}`;
  }
  return undefined;
}

/** Why a message names nothing, or `undefined` when it is specific. */
function genericMessage(message, reasonPhrase) {
  if (typeof message !== 'string') return `is ${JSON.stringify(message)}`;
  const text = message.trim().toLowerCase();
  if (text.length < MIN_MESSAGE_LENGTH) return `${JSON.stringify(message)} is too short to name anything`;
  if (text === String(reasonPhrase ?? '').toLowerCase() || GENERIC.has(text))
    return `${JSON.stringify(message)} is generic`;
  return undefined;
}

/**
 * The verdict on one answer: `{ ok: true, outcome }` or `{ ok: false, category, reason, outcome }`.
 * `outcome` is what to count it as (`2xx`, `4xx`, `OK`, `INVALID_ARGUMENT`…). Categories: `5xx`,
 * `hang`, `no-answer`, `malformed-answer`, `unnamed-4xx`.
 */
export function judge(transport, result) {
  if (result.kind === 'timeout')
    return {
      ok: false,
      category: 'hang',
      reason: `no answer within the deadline (${result.received} bytes received)`,
      outcome: 'timeout',
    };
  if (result.kind === 'no-answer')
    return {
      ok: false,
      category: 'no-answer',
      reason: `connection ended without an answer (${result.reason})`,
      outcome: 'no answer',
    };
  if (result.kind === 'malformed-answer')
    return { ok: false, category: 'malformed-answer', reason: result.reason, outcome: 'malformed' };
  if (transport === 'grpc') {
    if (result.name === 'DEADLINE_EXCEEDED')
      return {
        ok: false,
        category: 'hang',
        reason: `DEADLINE_EXCEEDED: ${result.details}`,
        outcome: result.name,
      };
    if (GRPC_SERVER_FAULTS.has(result.name))
      return {
        ok: false,
        category: '5xx',
        reason: `${result.name}: ${result.details}`,
        outcome: result.name,
      };
    if (result.name !== 'OK') {
      const generic = genericMessage(result.details, result.name.replace(/_/g, ' '));
      if (generic)
        return {
          ok: false,
          category: 'unnamed-4xx',
          reason: `${result.name} details ${generic}`,
          outcome: result.name,
        };
    }
    return { ok: true, outcome: result.name };
  }
  const klass = `${Math.floor(result.status / 100)}xx`;
  if (result.status >= 500)
    return {
      ok: false,
      category: '5xx',
      reason: `${result.status}: ${result.body.toString('utf8').slice(0, 200)}`,
      outcome: klass,
    };
  if (result.status >= 400) {
    const why = unnamedHttpRefusal(result.status, result.headers, result.body);
    if (why)
      return { ok: false, category: 'unnamed-4xx', reason: `${result.status}: ${why}`, outcome: klass };
  }
  return { ok: true, outcome: klass };
}
