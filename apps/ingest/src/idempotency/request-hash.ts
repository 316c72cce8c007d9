import { createHash } from 'node:crypto';

/** What a hash stands for, so a key reused for a different kind of request never matches by accident. */
export type HashedRequestKind = 'event' | 'batch';

/**
 * A digest of a request's meaning rather than its bytes: object keys are sorted, so a client that
 * re-serialises the same body differently on retry still matches its first attempt.
 */
export function requestHash(kind: HashedRequestKind, value: unknown): string {
  return createHash('sha256').update(`${kind}:`).update(canonicalJson(value)).digest('hex');
}

/** JSON with object keys in code-point order; input is bounded in depth by the caller. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
