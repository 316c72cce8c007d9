import { RESPONSE_BODY_EXCERPT_MAX_BYTES } from '../entities/delivery-attempt.entity';

const REDACTED = '[redacted]';
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
