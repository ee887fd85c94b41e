/**
 * Seeded randomness for the phantoms. Everything the generator varies comes from here, never from
 * Math.random, so a seed reproduces a study bit for bit on any machine (mulberry32 uses only 32-bit
 * integer arithmetic, which JavaScript defines exactly).
 */

/** A deterministic stream of pseudo-random numbers. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** Normally distributed (Box–Muller). */
  normal(mean?: number, sd?: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** +1 or -1 with equal odds. */
  sign(): 1 | -1;
}

/** A mulberry32 stream seeded with the low 32 bits of `seed`. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => nextUint32() / 4294967296;
  const random: Random = {
    next,
    nextUint32,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    normal: (mean = 0, sd = 1) => {
      // 1 - next() is in (0, 1], so the log never sees 0.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      return mean + sd * radius * Math.cos(2 * Math.PI * next());
    },
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    sign: () => (next() < 0.5 ? -1 : 1),
  };
  return random;
}

/**
 * A 32-bit seed derived from several parts (FNV-1a then a murmur finaliser). Each purpose gets its
 * own stream — anatomy, noise of slice 7, the epidural bleed — so adding a bleed or a slice never
 * shifts the numbers another part of the phantom sees.
 */
export function deriveSeed(...parts: readonly (number | string)[]): number {
  let h = 0x811c9dc5;
  const mix = (byte: number): void => {
    h = Math.imul(h ^ (byte & 0xff), 0x01000193);
  };
  for (const part of parts) {
    const text = typeof part === 'number' ? `#${part}` : `$${part}`;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      mix(code);
      mix(code >>> 8);
    }
    mix(0x1f);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
