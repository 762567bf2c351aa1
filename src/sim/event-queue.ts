/**
 * The simulator's agenda: a binary min-heap of events ordered by virtual time, ties broken by
 * insertion order, so two runs with the same seed pop events in exactly the same order.
 */
export class EventQueue<T> {
  #times: number[] = [];
  #seqs: number[] = [];
  #items: T[] = [];
  #nextSeq = 0;

  /** Time of the earliest event, or undefined when empty. */
  peekTime(): number | undefined {
    return this.#times[0];
  }

  push(time: number, item: T): void {
    if (!Number.isFinite(time)) throw new RangeError(`event time must be finite, got ${time}`);
    this.#times.push(time);
    this.#seqs.push(this.#nextSeq++);
    this.#items.push(item);
    this.#up(this.#items.length - 1);
  }

  /** Removes and returns the earliest event. */
  pop(): { time: number; item: T } | undefined {
    const n = this.#items.length;
    if (n === 0) return undefined;
    const time = this.#times[0] as number;
    const item = this.#items[0] as T;
    const lastTime = this.#times.pop() as number;
    const lastSeq = this.#seqs.pop() as number;
    const lastItem = this.#items.pop() as T;
    if (n > 1) {
      this.#times[0] = lastTime;
      this.#seqs[0] = lastSeq;
      this.#items[0] = lastItem;
      this.#down(0);
    }
    return { time, item };
  }

  #less(i: number, j: number): boolean {
    const ti = this.#times[i] as number;
    const tj = this.#times[j] as number;
    return ti < tj || (ti === tj && (this.#seqs[i] as number) < (this.#seqs[j] as number));
  }

  #swap(i: number, j: number): void {
    const t = this.#times[i] as number;
    this.#times[i] = this.#times[j] as number;
    this.#times[j] = t;
    const s = this.#seqs[i] as number;
    this.#seqs[i] = this.#seqs[j] as number;
    this.#seqs[j] = s;
    const x = this.#items[i] as T;
    this.#items[i] = this.#items[j] as T;
    this.#items[j] = x;
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#less(l, m)) m = l;
      if (r < n && this.#less(r, m)) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
}
