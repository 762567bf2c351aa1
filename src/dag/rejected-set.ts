/**
 * Remembers ids rejected for good, so a bad vertex offered again is refused without re-verifying
 * it, and vertices naming it as a parent are refused at once. Bounded: the oldest are forgotten
 * first (forgetting only costs a re-verification).
 */
export class RejectedSet {
  readonly #capacity: number;
  readonly #keys = new Map<string, string>();

  constructor(capacity = 100_000) {
    this.#capacity = capacity;
  }

  add(key: string, reason: string): void {
    if (this.#keys.has(key)) return;
    if (this.#keys.size >= this.#capacity) {
      const oldest = this.#keys.keys().next();
      if (oldest.done !== true) this.#keys.delete(oldest.value);
    }
    this.#keys.set(key, reason);
  }

  reasonFor(key: string): string | undefined {
    return this.#keys.get(key);
  }

  get size(): number {
    return this.#keys.size;
  }
}
