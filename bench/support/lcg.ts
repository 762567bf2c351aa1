/**
 * A seeded linear congruential generator of numbers in [0, 1): the benches' workloads and delivery
 * orders come from it, so a seed gives the same run everywhere (a seed of 0 counts as 1).
 */
export function lcg(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
}
