// A deliberately simple FugueMax / YjsMod reference (one array of items, positions by index), as
// in Joseph Gentle's reference-crdts, against which the run-length implementation is checked.
import { compareIds } from '../../src/dag/index.ts';
import type { RgaOp } from '../../src/crdt/rga/index.ts';

interface Item {
  readonly author: string;
  readonly authorBytes: Uint8Array;
  readonly seq: number;
  readonly left: string | null;
  readonly right: string | null;
  readonly value: unknown;
  deleted: boolean;
}

const key = (author: Uint8Array, seq: number): string => `${Buffer.from(author).toString('hex')}:${seq}`;

export class ReferenceRga {
  readonly items: Item[] = [];
  readonly #next = new Map<string, number>();

  #index(id: string | null, fallback: number): number {
    if (id === null) return fallback;
    const i = this.items.findIndex((it) => `${it.author}:${it.seq}` === id);
    if (i < 0) throw new Error(`unknown item ${id}`);
    return i;
  }

  apply(op: RgaOp, author: Uint8Array): void {
    if (op.kind === 'rga.del') {
      for (const r of op.ranges) for (let s = r.seq; s < r.seq + r.len; s++) (this.items[this.#index(key(r.author, s), -1)] as Item).deleted = true;
      return;
    }
    const hex = Buffer.from(author).toString('hex');
    const elements = typeof op.content === 'string' ? [...op.content] : [...op.content];
    let left = op.left === null ? null : key(op.left.author, op.left.seq);
    elements.forEach((value, k) => {
      const seq = op.seq + k;
      if ((this.#next.get(hex) ?? 0) !== seq) throw new Error('out of order');
      this.#next.set(hex, seq + 1);
      const item: Item = { author: hex, authorBytes: author, seq, left, right: op.right === null ? null : key(op.right.author, op.right.seq), value, deleted: false };
      this.#integrate(item);
      left = `${hex}:${seq}`;
    });
  }

  #integrate(item: Item): void {
    const left = this.#index(item.left, -1);
    let dest = left + 1;
    const right = this.#index(item.right, this.items.length);
    let scanning = false;
    for (let i = dest; ; i++) {
      if (!scanning) dest = i;
      if (i === this.items.length || i === right) break;
      const other = this.items[i] as Item;
      const oleft = this.#index(other.left, -1);
      const oright = this.#index(other.right, this.items.length);
      if (oleft < left) break;
      if (oleft === left) {
        if (oright < right) {
          scanning = true;
          continue;
        }
        if (oright === right) {
          const c = compareIds(item.authorBytes, other.authorBytes);
          if (c < 0 || (c === 0 && item.seq < other.seq)) break;
          scanning = false;
          continue;
        }
        scanning = false;
        continue;
      }
    }
    this.items.splice(dest, 0, item);
  }

  /** Visible elements. */
  values(): unknown[] {
    return this.items.filter((it) => !it.deleted).map((it) => it.value);
  }

  /** Every item's id in document order, tombstones included. */
  order(): string[] {
    return this.items.map((it) => `${it.author}:${it.seq}`);
  }
}
