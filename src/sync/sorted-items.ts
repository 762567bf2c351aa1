import { compareTopological } from '../dag/index.ts';
import { compareItemToBound } from './bound.ts';
import type { OrderedVertices, SyncItem } from './replica.ts';

/**
 * Items kept in (lamport, id) order. New vertices mostly carry the largest clock of their topic,
 * so `insert` is an append in the common case and a binary search plus one splice otherwise.
 */
export class SortedItems implements OrderedVertices {
  readonly #items: SyncItem[];

  /** `items` must already be sorted and unique (it is adopted, not copied). */
  constructor(items: SyncItem[] = []) {
    this.#items = items;
  }

  get size(): number {
    return this.#items.length;
  }

  at(index: number): SyncItem {
    return this.#items[index] as SyncItem;
  }

  /** Adds an item; false if it is already present. */
  insert(item: SyncItem): boolean {
    const items = this.#items;
    const last = items[items.length - 1];
    if (last === undefined || compareTopological(last, item) < 0) {
      items.push(item);
      return true;
    }
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareTopological(items[mid] as SyncItem, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (items[lo]?.key === item.key) return false;
    items.splice(lo, 0, item);
    return true;
  }

  lowerBound(lamport: number, prefix: Uint8Array): number {
    const bound = { lamport, prefix };
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const item = this.#items[mid] as SyncItem;
      if (compareItemToBound(item.lamport, item.id, bound) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
