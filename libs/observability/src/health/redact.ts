// Errors from drivers sometimes quote the connection string they were given; readiness reports are
// served over HTTP and logged, so credentials are masked before a reason leaves the process.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^:/?#@\s]+):([^@/\s]+)@/gi;
const KEY_VALUE_SECRET =
  /\b(password|passwd|pwd|secret|token|api[_-]?key)(\s*[=:]\s*)('[^']*'|"[^"]*"|[^\s,;]+)/gi;

/** Masks passwords in URLs (`postgres://user:***@host`) and `password=...` style pairs. */
export function redactSecrets(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1$2:***@').replace(KEY_VALUE_SECRET, '$1$2***');
}

/** A one-line, secret-free reason for a failure, for reports and logs. */
export function describeFailure(error: unknown): string {
  return redactSecrets(firstMessage(error) || 'unknown error');
}

// Duck-typed on purpose: errors raised by Node's own modules may come from another realm (vm
// contexts, test runners), where `instanceof Error` is false.
function firstMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error !== 'object' || error === null) return '';
  const { message, code, name, errors } = error as {
    message?: unknown;
    code?: unknown;
    name?: unknown;
    errors?: unknown;
  };
  if (typeof message === 'string' && message) return message;
  // Node reports a refused dual-stack connect (::1 and 127.0.0.1) as an AggregateError with no message.
  if (Array.isArray(errors) && errors.length > 0) return errors.map(firstMessage).filter(Boolean).join('; ');
  if (typeof code === 'string') return code;
  return typeof name === 'string' ? name : '';
}
