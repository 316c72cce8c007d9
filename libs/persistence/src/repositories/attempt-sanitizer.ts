import { RESPONSE_BODY_EXCERPT_MAX_BYTES } from '../entities/delivery-attempt.entity';

/** What a stored header shows instead of a value that must not be kept. */
export const REDACTED_VALUE = '[redacted]';
const REDACTED = REDACTED_VALUE;
const SECRET_HEADER_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const SECRET_HEADER_WORDS = /secret|token|password|passwd|api-?key|session|credential/i;
const MAX_ERROR_MESSAGE_CHARS = 2_000;

/** Headers with the values of credential-like headers replaced, so stored attempts hold no secrets. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const secret = SECRET_HEADER_NAMES.has(name.toLowerCase()) || SECRET_HEADER_WORDS.test(name);
    redacted[name] = secret ? REDACTED : storableText(String(value));
  }
  return redacted;
}

/**
 * The headers of a request as sent, for the delivery log: credential-like values redacted as by
 * `redactHeaders`, and every header the endpoint's owner configured (`customNames`, compared
 * case-insensitively) kept by name with its value replaced by the marker, since those values are
 * customer credentials sealed at rest. Hookline's own headers stay, signatures included: they are
 * HMACs of the body, which receivers see anyway, and they help a receiver debug a verification.
 */
export function redactRequestHeaders(
  headers: Record<string, string>,
  customNames: readonly string[],
): Record<string, string> {
  const custom = new Set(customNames.map((name) => name.toLowerCase()));
  const redacted = redactHeaders(headers);
  for (const name of Object.keys(redacted)) if (custom.has(name.toLowerCase())) redacted[name] = REDACTED;
  return redacted;
}

/** The start of `text`, at most `maxBytes` of UTF-8, never cutting a character in half. */
export function utf8Excerpt(text: string, maxBytes = RESPONSE_BODY_EXCERPT_MAX_BYTES): string {
  const clean = storableText(text);
  if (Buffer.byteLength(clean, 'utf8') <= maxBytes) return clean;
  let end = maxBytes;
  const bytes = Buffer.from(clean, 'utf8');
  // Back up over continuation bytes (10xxxxxx) to the start of the character that overflows.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/** An error message short enough to store and display. */
export function errorMessageExcerpt(message: string): string {
  const clean = storableText(message);
  return clean.length <= MAX_ERROR_MESSAGE_CHARS ? clean : `${clean.slice(0, MAX_ERROR_MESSAGE_CHARS)}…`;
}

/**
 * Postgres text and jsonb hold neither NUL, which binary response bodies do contain, nor an unpaired
 * surrogate; both become U+FFFD, as a decoder shows them.
 */
function storableText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes('\u0000') ? wellFormed.replaceAll('\u0000', '\uFFFD') : wellFormed;
}
