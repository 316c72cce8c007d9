// Seeded randomness: every case is a pure function of (seed, index), so one case can be generated
// again on its own (`--only INDEX`) without generating those before it.

/** A 32-bit seed from any integer-like value. */
export function seedOf(value) {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new Error(`a seed is a non-negative integer, got "${value}"`);
  return number >>> 0;
}

/** A fresh seed for a run that was given none. */
export function freshSeed() {
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}

// splitmix32-style mixing of the run's seed and the case index into an independent stream.
function mix(seed, index) {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The random source of case `index` of the run seeded `seed` (mulberry32). */
export function caseRandom(seed, index) {
  let state = mix(seed, index);
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random = {
    /** A float in [0, 1). */
    next,
    /** An integer in [min, max]. */
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    /** One item of a list. */
    pick: (items) => items[Math.floor(next() * items.length)],
    /** True with probability `p`. */
    chance: (p) => next() < p,
    /** One item of `[weight, item]` pairs, by weight. */
    weighted: (pairs) => {
      const total = pairs.reduce((sum, [weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [weight, item] of pairs) {
        roll -= weight;
        if (roll < 0) return item;
      }
      return pairs[pairs.length - 1][1];
    },
    /** `length` random bytes. */
    bytes: (length) => {
      const out = Buffer.alloc(length);
      for (let i = 0; i < length; i += 1) out[i] = Math.floor(next() * 256);
      return out;
    },
  };
  return random;
}
