/**
 * The ids gossip has already handled, bounded: when full, the oldest id is forgotten first.
 * Forgetting costs at most one redundant transfer (the host's own store still knows the vertex),
 * never correctness.
 */
export class SeenCache {
  readonly capacity: number;
  readonly #set = new Set<string>();
  readonly #ring: string[];
  #next = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`seen-cache capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#ring = [];
  }

  get size(): number {
    return this.#set.size;
  }

  has(key: string): boolean {
    return this.#set.has(key);
  }

  add(key: string): void {
    if (this.#set.has(key)) return;
    if (this.#ring.length < this.capacity) {
      this.#ring.push(key);
    } else {
      this.#set.delete(this.#ring[this.#next] as string);
      this.#ring[this.#next] = key;
      this.#next = (this.#next + 1) % this.capacity;
    }
    this.#set.add(key);
  }
}
