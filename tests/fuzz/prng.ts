// The fuzzers' source of randomness: a seeded generator, so that a seed
// names a case exactly and a failure can be replayed anywhere.

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

/** mulberry32: small, fast, and the same everywhere. */
export function prng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
}

/** One of `xs`, uniformly. */
export const pick = <T>(rnd: Rng, xs: readonly T[]): T => xs[rnd.int(xs.length)]!;
