/** The median of `xs` (the mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The item whose `key` is the (lower) median: one item, so figures measured together stay together. */
export function lowerMedianBy<T>(items: readonly T[], key: (item: T) => number): T {
  if (items.length === 0) throw new Error('no items to take the median of');
  return [...items].sort((a, b) => key(a) - key(b))[(items.length - 1) >> 1] as T;
}
