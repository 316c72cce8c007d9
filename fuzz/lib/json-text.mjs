// JSON text with what JSON.stringify never writes: raw tokens (out-of-range numbers, deep nesting,
// invalid escapes), duplicate keys. Iterative, so deeply nested values never reach a stack limit here.

/** Text written as it is, e.g. `1e999` or a 20,000-deep `[[[...]]]`. */
export class Raw {
  constructor(text) {
    this.text = text;
  }
}

/** An object written with some keys twice: `entries` in order, duplicates allowed. */
export class Entries {
  constructor(entries) {
    this.entries = entries;
  }
}

/** Serialises a value that may hold `Raw` and `Entries`. */
export function jsonText(value) {
  const out = [];
  const stack = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item.text !== undefined) {
      out.push(item.text);
      continue;
    }
    const current = item.value;
    if (current instanceof Raw) out.push(current.text);
    else if (current instanceof Entries) pushMembers(stack, current.entries);
    else if (Array.isArray(current)) {
      const parts = [{ text: ']' }];
      for (let i = current.length - 1; i >= 0; i -= 1) {
        parts.push({ value: current[i] === undefined ? null : current[i] });
        if (i > 0) parts.push({ text: ',' });
      }
      parts.push({ text: '[' });
      stack.push(...parts);
    } else if (current !== null && typeof current === 'object') {
      pushMembers(
        stack,
        Object.keys(current)
          .filter((key) => current[key] !== undefined)
          .map((key) => [key, current[key]]),
      );
    } else out.push(JSON.stringify(current) ?? 'null');
  }
  return out.join('');
}

function pushMembers(stack, entries) {
  const parts = [{ text: '}' }];
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const [key, member] = entries[i];
    parts.push({ value: member }, { text: `${JSON.stringify(key)}:` });
    if (i > 0) parts.push({ text: ',' });
  }
  parts.push({ text: '{' });
  stack.push(...parts);
}

/** `depth` nested arrays or objects as raw text, the innermost holding `leaf`. */
export function deeplyNested(depth, kind, leaf = '1') {
  return kind === 'array'
    ? new Raw(`${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`)
    : new Raw(`${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`);
}
