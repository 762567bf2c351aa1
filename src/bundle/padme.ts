/**
 * Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication with
 * PURBs", PETS 2019): rounds `n` up so that only O(log log n) bits of it survive, with at most
 * about 12 % overhead. Applied to a bundle's chunk count, the file size tells a finder roughly how
 * much it carries and nothing finer.
 */
export function padme(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`padme needs a positive integer, got ${n}`);
  if (n < 3) return n;
  const e = Math.floor(Math.log2(n));
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = e - s;
  const mask = 2 ** lastBits - 1;
  return Math.ceil(n / (mask + 1)) * (mask + 1);
}
