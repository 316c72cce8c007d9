import { createHash, randomBytes as cryptoRandomBytes } from 'node:crypto';

/**
 * ULIDs (https://github.com/ulid/spec): 48 bits of milliseconds then 80 random bits, written as 26
 * Crockford base32 characters, so that ids sort by creation time as plain strings.
 *
 * Within one millisecond the generator increments the previous random part instead of drawing a new
 * one, so ids created in a burst still sort in creation order. If the clock steps backwards the last
 * timestamp is kept for the same reason.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_BYTES = 10;
const MAX_TIME = 2 ** 48 - 1;

/** Shape of every ULID this library writes. */
export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** Sources of time and randomness, injectable so tests can pin the clock. */
export interface UlidSources {
  /** Current time in epoch milliseconds; defaults to `Date.now`. */
  readonly now?: () => number;
  /** Returns `size` random bytes; defaults to `crypto.randomBytes`. */
  readonly randomBytes?: (size: number) => Uint8Array;
}

/** Produces a new ULID on each call. */
export type UlidGenerator = () => string;

/** Creates a monotonic ULID generator; each generator keeps its own ordering state. */
export function createUlidGenerator(sources: UlidSources = {}): UlidGenerator {
  const now = sources.now ?? Date.now;
  const random = sources.randomBytes ?? cryptoRandomBytes;
  let lastTime = -1;
  let lastRandom: Uint8Array = new Uint8Array(RANDOM_BYTES);

  return () => {
    const time = Math.floor(now());
    checkTime(time);
    if (time <= lastTime) {
      lastRandom = increment(lastRandom);
    } else {
      lastTime = time;
      lastRandom = Uint8Array.from(random(RANDOM_BYTES).subarray(0, RANDOM_BYTES));
      if (lastRandom.length !== RANDOM_BYTES) throw new Error('randomBytes returned too few bytes');
    }
    return encodeTime(lastTime) + encodeRandom(lastRandom);
  };
}

/**
 * A ULID fixed by its inputs: the time part is `timeMs`, the random part the first 80 bits of the
 * SHA-256 of `seed`. Whatever is named twice from the same inputs gets the same id.
 */
export function derivedUlid(timeMs: number, seed: string): string {
  const time = Math.floor(timeMs);
  checkTime(time);
  return (
    encodeTime(time) + encodeRandom(createHash('sha256').update(seed).digest().subarray(0, RANDOM_BYTES))
  );
}

/** Reads the creation time (epoch milliseconds) back out of a ULID. */
export function ulidTime(ulid: string): number {
  if (!ULID_PATTERN.test(ulid)) throw new TypeError(`not a ULID: ${ulid}`);
  let time = 0;
  for (const char of ulid.slice(0, TIME_CHARS)) time = time * 32 + ALPHABET.indexOf(char);
  return time;
}

/** The 10-character time part of a ULID made at `timeMs`; strings sort as the times do. */
export function ulidTimePart(timeMs: number): string {
  const time = Math.floor(timeMs);
  checkTime(time);
  return encodeTime(time);
}

function checkTime(time: number): void {
  if (!Number.isSafeInteger(time) || time < 0 || time > MAX_TIME) {
    throw new RangeError(`ULID time must be an integer between 0 and 2^48-1 ms, got ${time}`);
  }
}

function encodeTime(time: number): string {
  let out = '';
  let rest = time;
  for (let i = 0; i < TIME_CHARS; i += 1) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

// 80 bits split into sixteen 5-bit groups, most significant first.
function encodeRandom(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

function increment(bytes: Uint8Array): Uint8Array {
  const next = Uint8Array.from(bytes);
  for (let i = next.length - 1; i >= 0; i -= 1) {
    if (next[i] < 255) {
      next[i] += 1;
      return next;
    }
    next[i] = 0;
  }
  // 2^80 ids in one millisecond cannot happen by accident; refusing keeps ids strictly ordered.
  throw new Error('ULID random part overflowed within one millisecond');
}
