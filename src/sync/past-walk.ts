import type { SyncItem } from './replica.ts';

/** What the walk reads of a held vertex. */
export interface WalkNode {
  readonly lamport: number;
  readonly id: Uint8Array;
  readonly parents: readonly string[];
}

/** Max-heap of keys by (lamport, key): the walk visits children before parents. */
class KeyHeap {
  readonly #keys: string[] = [];
  readonly #lamport: (key: string) => number;

  constructor(lamport: (key: string) => number) {
    this.#lamport = lamport;
  }

  get size(): number {
    return this.#keys.length;
  }

  #above(a: string, b: string): boolean {
    const la = this.#lamport(a);
    const lb = this.#lamport(b);
    return la > lb || (la === lb && a > b);
  }

  push(key: string): void {
    const h = this.#keys;
    h.push(key);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#above(h[i] as string, h[parent] as string)) break;
      [h[i], h[parent]] = [h[parent] as string, h[i] as string];
      i = parent;
    }
  }

  pop(): string {
    const h = this.#keys;
    const top = h[0] as string;
    const last = h.pop() as string;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && this.#above(h[l] as string, h[best] as string)) best = l;
        if (r < h.length && this.#above(h[r] as string, h[best] as string)) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best] as string, h[i] as string];
        i = best;
      }
    }
    return top;
  }
}

/**
 * Vertices reachable from `tips` (our frontier) that are not in `remote` or its past, in
 * (lamport, id) order. Walks down from both sets at once, highest clock first, marking what the
 * remote frontier covers, and stops as soon as everything still queued is covered: the cost grows
 * with the difference and the width of the DAG near the top, not with the size of the topic.
 * Every key of `remote` must be held (`node` returns it).
 */
export function notInPastOf(tips: readonly string[], remote: readonly string[], node: (key: string) => WalkNode | undefined): SyncItem[] {
  const covered = new Map<string, boolean>();
  const lamports = new Map<string, number>();
  const heap = new KeyHeap((k) => lamports.get(k) as number);
  let uncovered = 0;
  const enqueue = (key: string, isCovered: boolean): void => {
    const seen = covered.get(key);
    if (seen === undefined) {
      const n = node(key);
      if (n === undefined) return;
      covered.set(key, isCovered);
      lamports.set(key, n.lamport);
      heap.push(key);
      if (!isCovered) uncovered++;
    } else if (isCovered && !seen) {
      // Not popped yet: a parent's clock is below its child's, so it is still queued.
      covered.set(key, true);
      uncovered--;
    }
  };
  for (const k of remote) enqueue(k, true);
  for (const k of tips) enqueue(k, false);
  const out: SyncItem[] = [];
  while (uncovered > 0 && heap.size > 0) {
    const key = heap.pop();
    const isCovered = covered.get(key) as boolean;
    const n = node(key) as WalkNode;
    if (!isCovered) {
      uncovered--;
      out.push({ lamport: n.lamport, id: n.id, key });
    }
    for (const p of n.parents) enqueue(p, isCovered);
  }
  return out.reverse();
}
