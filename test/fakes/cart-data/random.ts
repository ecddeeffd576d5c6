// Seeded randomness and the small helpers every generator draws with.

export const DEFAULT_NOW = new Date('2026-11-01T00:00:00Z');
export const DAY = 86_400_000;

/** mulberry32: tiny, fast and good enough for test data. */
export function rngFrom(...keys: number[]): () => number {
  let a = 0x9e3779b9;
  for (const k of keys) a = Math.imul(a ^ (k >>> 0), 0x85ebca6b) ^ (a >>> 13);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type Rng = () => number;
export const int = (r: Rng, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const digits = (r: Rng, n: number) => Array.from({ length: n }, () => int(r, 0, 9)).join('');
export const hex = (r: Rng, n: number) =>
  Array.from({ length: n }, () => int(r, 0, 15).toString(16)).join('');
/** Whole seconds: carts print datetimes to the second. */
export const sec = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
export const ymd = (d: Date) => d.toISOString().slice(0, 10);
