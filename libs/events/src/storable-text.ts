/**
 * PostgreSQL holds no U+0000 in `text` or `jsonb`, and no half of a UTF-16 surrogate pair (which
 * JSON's `\ud800` escape produces) in `jsonb`; in `text` the driver silently turns one into U+FFFD.
 * Such a value fails its insert or is changed on the way, wherever it ends up. Input is checked where
 * it enters, so it is refused naming its field instead.
 */

/** One string that cannot be stored, named by its field (`data.name`, `events[2].data.id`, `$`). */
export interface TextProblem {
  readonly field: string;
  readonly message: string;
}

/** A step of a field path: an object key, or an array index. */
export type PathSegment = string | number;

/** Options of `findUnstorableText`. */
export interface StorableTextOptions {
  /** Field path of the value itself, prefixed to every field named (`events[3]`); none by default. */
  readonly root?: string;
  /** Most problems returned; the walk stops once it has found this many. */
  readonly limit?: number;
  /** Most levels of objects and arrays, the value itself being the first; deeper is a problem. */
  readonly maxDepth?: number;
  /** Names a field from its path; `fieldPath` with `root` by default. */
  readonly fieldName?: (path: readonly PathSegment[]) => string;
}

/** Default of `StorableTextOptions.limit`. */
export const DEFAULT_TEXT_PROBLEM_LIMIT = 10;
/** Default of `StorableTextOptions.maxDepth`: far beyond real payloads, and what ingest allows. */
export const DEFAULT_MAX_TEXT_DEPTH = 64;

// Keys are echoed in field names; a long one is cut so an answer or a Kafka header stays small.
const MAX_KEY_IN_FIELD = 100;
// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Whether PostgreSQL can store `text`: no U+0000 and no unpaired surrogate. */
export function isStorableText(text: string): boolean {
  return textProblem(text) === undefined;
}

/**
 * Walks a decoded JSON value (object keys as well as values, arrays, nesting) and returns the strings
 * PostgreSQL cannot store, in document order, at most `limit` of them. Iterative, and a value nesting
 * deeper than `maxDepth` is a problem of its own rather than walked, so hostile input can neither
 * overflow the stack nor keep the walk busy past its size. Values other than strings, objects and
 * arrays (numbers, booleans, null, byte buffers) are not text and pass.
 */
export function findUnstorableText(value: unknown, options: StorableTextOptions = {}): TextProblem[] {
  const limit = options.limit ?? DEFAULT_TEXT_PROBLEM_LIMIT;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_TEXT_DEPTH;
  const root = options.root ?? '';
  const name = options.fieldName ?? ((path: readonly PathSegment[]) => fieldPath(path, root));
  const problems: TextProblem[] = [];
  // Paths are linked lists, turned into text only for a problem: most values have none.
  const stack: Visit[] = [{ kind: 'value', value, depth: 1, at: undefined }];
  while (stack.length > 0 && problems.length < limit) {
    const visit = stack.pop()!;
    if (visit.kind === 'key') {
      problems.push({ field: name(pathOf(visit.at)), message: `is a key that contains ${visit.problem}` });
      continue;
    }
    const { value: current, depth, at } = visit;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) problems.push({ field: name(pathOf(at)), message: `contains ${problem}` });
      continue;
    }
    if (!isContainer(current)) continue;
    if (depth > maxDepth) {
      problems.push({ field: name(pathOf(at)), message: `nests deeper than ${maxDepth} levels` });
      continue;
    }
    const children: Visit[] = Array.isArray(current)
      ? current.map((item, index): Visit => ({
          kind: 'value',
          value: item,
          depth: depth + 1,
          at: { parent: at, segment: index },
        }))
      : Object.keys(current).map((key): Visit => {
          const child = { parent: at, segment: key };
          const problem = textProblem(key);
          return problem === undefined
            ? { kind: 'value', value: current[key], depth: depth + 1, at: child }
            : { kind: 'key', problem, at: child };
        });
    // Reversed, so the stack hands them out in document order.
    for (let index = children.length - 1; index >= 0; index -= 1) stack.push(children[index]);
  }
  return problems;
}

/**
 * The field a path names, in the style of every validation error: `data.name`, `events[2].data.id`,
 * `$` for the value itself. Characters that cannot be stored are shown as `\uXXXX` escapes, so the
 * name itself is safe to answer with, log and store.
 */
export function fieldPath(path: readonly PathSegment[], root = ''): string {
  let field = root;
  for (const segment of path) {
    if (typeof segment === 'number') field = `${field}[${segment}]`;
    else field = field === '' ? printableKey(segment) : `${field}.${printableKey(segment)}`;
  }
  return field === '' ? '$' : field;
}

interface PathLink {
  readonly parent: PathLink | undefined;
  readonly segment: PathSegment;
}

/** A value still to check, or a key already found unstorable (its value is not walked). */
type Visit =
  | {
      readonly kind: 'value';
      readonly value: unknown;
      readonly depth: number;
      readonly at: PathLink | undefined;
    }
  | { readonly kind: 'key'; readonly problem: string; readonly at: PathLink };

function pathOf(at: PathLink | undefined): PathSegment[] {
  const path: PathSegment[] = [];
  for (let link = at; link; link = link.parent) path.push(link.segment);
  return path.reverse();
}

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'U+0000 (NUL), which cannot be stored';
  if (!isWellFormed(text)) return 'an unpaired UTF-16 surrogate (U+D800 to U+DFFF), which cannot be stored';
  return undefined;
}

// ES2024 and in every Node.js this project runs on; typed here so as not to depend on the compiler's `lib`.
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

function printableKey(key: string): string {
  let cut = key;
  if (cut.length > MAX_KEY_IN_FIELD) {
    cut = cut.slice(0, MAX_KEY_IN_FIELD);
    // Cutting between the halves of a pair would leave half a pair.
    if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
    cut += '…';
  }
  return cut
    .replaceAll('\u0000', '\\u0000')
    .replace(LONE_SURROGATE, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`);
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value);
}
