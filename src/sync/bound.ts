import type { SyncItem } from './replica.ts';
import type { Bound } from './wire.ts';

/** The start of the order: every item (Lamport clocks start at 1) is at or above it. */
export const START_BOUND: Bound = Object.freeze({ lamport: 0, prefix: new Uint8Array(0) });

/** Compares an item with a bound: negative when the item is below it, else >= 0. */
export function compareItemToBound(lamport: number, id: Uint8Array, bound: Bound): number {
  if (lamport !== bound.lamport) return lamport < bound.lamport ? -1 : 1;
  const prefix = bound.prefix;
  for (let k = 0; k < prefix.length; k++) {
    const d = (id[k] as number) - (prefix[k] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** Compares two bounds as points of the order (a prefix stands for itself followed by zero bytes). */
export function compareBounds(a: Bound, b: Bound): number {
  if (a.lamport !== b.lamport) return a.lamport < b.lamport ? -1 : 1;
  const n = Math.max(a.prefix.length, b.prefix.length);
  for (let k = 0; k < n; k++) {
    const d = (a.prefix[k] ?? 0) - (b.prefix[k] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The shortest bound above `below` and at or below `above` (adjacent items, below < above): the
 * Lamport clock alone when they differ, else the shortest id prefix of `above` that exceeds
 * `below`. Short bounds keep range messages small (negentropy does the same).
 */
export function boundBetween(below: SyncItem, above: SyncItem): Bound {
  if (below.lamport !== above.lamport) return { lamport: above.lamport, prefix: new Uint8Array(0) };
  let k = 0;
  while (k < above.id.length && below.id[k] === above.id[k]) k++;
  return { lamport: above.lamport, prefix: above.id.slice(0, k + 1) };
}
