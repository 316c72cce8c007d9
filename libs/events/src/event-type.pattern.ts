import { EVENT_TYPES } from './event.catalogue';

/**
 * Event-type patterns an endpoint subscribes with:
 * - an exact type: `user.created`;
 * - `<prefix>.*`: every type below the prefix at any depth, so `file.*` covers
 *   `file.processing.completed` and `file.processing.*` covers both processing types. Subscribers
 *   think in groups, and a group gaining a nested type should not silently drop out of `file.*`;
 * - `*`: every type.
 * Wildcards elsewhere (`*.created`, `user.cr*`) are not patterns; they match nothing.
 */

/** The pattern that matches every event type. */
export const MATCH_ALL = '*';
const WILDCARD_SUFFIX = '.*';

/** Whether `type` is selected by `pattern`. */
export function matchesEventType(pattern: string, type: string): boolean {
  if (pattern === MATCH_ALL) return true;
  if (pattern.endsWith(WILDCARD_SUFFIX)) {
    const prefix = pattern.slice(0, -1); // keeps the dot: `file.` cannot match `filesystem.x`
    return prefix.length > 1 && !prefix.slice(0, -1).includes('*') && type.startsWith(prefix);
  }
  return pattern === type;
}

const knownPrefixes = new Set(
  EVENT_TYPES.flatMap((type) => {
    const segments = type.split('.');
    return segments.slice(1).map((_, index) => segments.slice(0, index + 1).join('.'));
  }),
);
const knownTypes = new Set(EVENT_TYPES);

/**
 * Whether `pattern` may be stored on a subscription: `*`, a catalogue type, or `<prefix>.*` where
 * some catalogue type lies below the prefix (`user.*`, `file.processing.*`), so a typo such as
 * `usr.*` is refused instead of silently matching nothing.
 */
export function isValidEventTypePattern(pattern: string): boolean {
  if (pattern === MATCH_ALL || knownTypes.has(pattern)) return true;
  return pattern.endsWith(WILDCARD_SUFFIX) && knownPrefixes.has(pattern.slice(0, -WILDCARD_SUFFIX.length));
}

/** Catalogue types a pattern selects, e.g. to show a subscriber what `payment.*` means today. */
export function expandEventTypePattern(pattern: string): string[] {
  return EVENT_TYPES.filter((type) => matchesEventType(pattern, type));
}
