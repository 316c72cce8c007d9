/**
 * Validated configuration from environment variables.
 *
 * A service describes its configuration once with a builder; every key is read through the
 * reader, which records each problem instead of throwing at the first, so a bad deployment is
 * told about every wrong key in one go and the process never starts half-configured.
 */

/** Thrown when one or more keys are invalid; `problems` names each key and what is wrong. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Typed accessors over an environment; each records a problem and returns a placeholder on bad input. */
export interface EnvReader {
  /** A string; required when no default is given. */
  string(key: string, options?: { default?: string; allowEmpty?: boolean }): string;
  /** An optional string: `undefined` when unset or empty. */
  optionalString(key: string): string | undefined;
  /** An integer within optional bounds. */
  int(key: string, options: { default: number; min?: number; max?: number }): number;
  /** A number (may be fractional) within optional bounds. */
  number(key: string, options: { default: number; min?: number; max?: number }): number;
  /** `true`/`false`/`1`/`0`/`yes`/`no`. */
  bool(key: string, defaultValue: boolean): boolean;
  /** A comma-separated list; blanks dropped. */
  list(key: string, defaultValue: readonly string[]): string[];
  /** One of a fixed set of values. */
  oneOf<T extends string>(key: string, values: readonly T[], defaultValue: T): T;
  /** A duration: `250ms`, `30s`, `5m`, `1h`, `2d` or a plain number of milliseconds. */
  durationMs(key: string, defaultValue: number): number;
  /** An absolute URL whose protocol is in `protocols` when given. */
  url(key: string, options?: { default?: string; protocols?: readonly string[] }): string;
  /** A comma-separated list of durations (see `durationMs`). */
  durationList(key: string, defaultValue: readonly number[]): number[];
  /** Records a problem found by the caller's own cross-key checks. */
  problem(key: string, message: string): void;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `250ms`, `30s`, `5m`, `1h`, `2d` or a plain integer of milliseconds; `undefined` when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms'];
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

/**
 * Builds a typed configuration from `env` with `build`, collecting every problem.
 * Throws a single `ConfigError` listing all of them when any key is invalid.
 */
export function readConfig<T>(env: NodeJS.ProcessEnv, build: (reader: EnvReader) => T): T {
  const problems: string[] = [];
  const raw = (key: string): string | undefined => {
    const value = env[key];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const fail = <V>(key: string, message: string, placeholder: V): V => {
    problems.push(`${key}: ${message}`);
    return placeholder;
  };

  const reader: EnvReader = {
    string(key, options = {}) {
      const value = options.allowEmpty ? env[key] : raw(key);
      if (value !== undefined) return value;
      if (options.default !== undefined) return options.default;
      return fail(key, 'is required', '');
    },
    optionalString(key) {
      return raw(key);
    },
    int(key, { default: def, min, max }) {
      const value = raw(key);
      if (value === undefined) return def;
      if (!/^-?\d+$/.test(value)) return fail(key, `must be an integer, got "${value}"`, def);
      return checkBounds(key, Number(value), min, max, def);
    },
    number(key, { default: def, min, max }) {
      const value = raw(key);
      if (value === undefined) return def;
      const parsed = Number(value);
      if (!Number.isFinite(parsed)) return fail(key, `must be a number, got "${value}"`, def);
      return checkBounds(key, parsed, min, max, def);
    },
    bool(key, def) {
      const value = raw(key)?.toLowerCase();
      if (value === undefined) return def;
      if (['true', '1', 'yes', 'on'].includes(value)) return true;
      if (['false', '0', 'no', 'off'].includes(value)) return false;
      return fail(key, `must be true or false, got "${value}"`, def);
    },
    list(key, def) {
      const value = raw(key);
      if (value === undefined) return [...def];
      return value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    },
    oneOf(key, values, def) {
      const value = raw(key);
      if (value === undefined) return def;
      if ((values as readonly string[]).includes(value)) return value as (typeof values)[number];
      return fail(key, `must be one of ${values.join(', ')}, got "${value}"`, def);
    },
    durationMs(key, def) {
      const value = raw(key);
      if (value === undefined) return def;
      const parsed = parseDurationMs(value);
      if (parsed === undefined)
        return fail(key, `must be a duration like 250ms, 30s, 5m or 1h, got "${value}"`, def);
      return parsed;
    },
    durationList(key, def) {
      const value = raw(key);
      if (value === undefined) return [...def];
      const items = value.split(',').map((item) => item.trim());
      const parsed = items.map(parseDurationMs);
      const bad = items.filter((_, index) => parsed[index] === undefined);
      if (bad.length > 0)
        return fail(key, `has invalid durations: ${bad.map((b) => `"${b}"`).join(', ')}`, [...def]);
      return parsed as number[];
    },
    url(key, options = {}) {
      const value = raw(key) ?? options.default;
      if (value === undefined) return fail(key, 'is required', '');
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        // The value may carry credentials: name the key, never echo the value.
        return fail(key, 'must be an absolute URL', '');
      }
      const protocol = parsed.protocol.replace(/:$/, '');
      if (options.protocols && !options.protocols.includes(protocol)) {
        return fail(key, `must use ${options.protocols.join(' or ')}, got ${protocol}`, '');
      }
      return value;
    },
    problem(key, message) {
      problems.push(`${key}: ${message}`);
    },
  };

  function checkBounds(
    key: string,
    value: number,
    min: number | undefined,
    max: number | undefined,
    def: number,
  ) {
    if (min !== undefined && value < min) return fail(key, `must be at least ${min}, got ${value}`, def);
    if (max !== undefined && value > max) return fail(key, `must be at most ${max}, got ${value}`, def);
    return value;
  }

  const result = build(reader);
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}
