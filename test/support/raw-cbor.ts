/**
 * A deliberately permissive CBOR writer for tests: it can write what the real encoder never
 * would (non-minimal heads, indefinite lengths, any key order), to prove the decoder refuses it.
 */
export function head(major: number, value: number, width?: 0 | 1 | 2 | 4 | 8): number[] {
  const w = width ?? (value < 24 ? 0 : value < 0x100 ? 1 : value < 0x10000 ? 2 : value < 0x100000000 ? 4 : 8);
  if (w === 0) return [(major << 5) | value];
  const info = { 1: 24, 2: 25, 4: 26, 8: 27 }[w];
  const out = [(major << 5) | info];
  for (let i = w - 1; i >= 0; i--) out.push(Math.floor(value / 2 ** (8 * i)) % 256);
  return out;
}

export const text = (s: string): number[] => [...head(3, s.length), ...new TextEncoder().encode(s)];
export const bytes = (b: Uint8Array | number[]): number[] => [...head(2, b.length), ...b];
export const uint = (n: number, width?: 0 | 1 | 2 | 4 | 8): number[] => head(0, n, width);
export const link = (id: Uint8Array): number[] => [...head(6, 42), ...bytes([0x00, 0x01, 0x71, 0x16, 0x20, ...id])];
export const array = (items: number[][]): number[] => [...head(4, items.length), ...items.flat()];

export type Entry = readonly [string, number[]];

/** A map with entries in the given order. */
export function map(entries: readonly Entry[]): Uint8Array {
  return Uint8Array.from([...head(5, entries.length), ...entries.flatMap(([k, v]) => [...text(k), ...v])]);
}
