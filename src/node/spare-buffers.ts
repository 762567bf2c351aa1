/**
 * Batch buffers the verify workers handed back, kept for reuse: a fresh buffer per batch is fresh
 * memory the kernel must zero, page by page, on every megabyte a sync moves.
 *
 * When full, a returned buffer replaces the smallest kept one if it is larger. Small buffers (a
 * pushed vertex's 8 KiB) are cheap to make again; a sync's quarter-megabyte ones are not, and a
 * burst of pushes must not leave the list full of small ones that no sync batch fits in.
 */
export class SpareBuffers {
  readonly #buffers: ArrayBuffer[] = [];
  readonly #maxCount: number;
  readonly #maxBytes: number;

  /** Keeps at most `maxCount` buffers, none larger than `maxBytes` (larger ones go to the GC). */
  constructor(maxCount: number, maxBytes: number) {
    this.#maxCount = maxCount;
    this.#maxBytes = maxBytes;
  }

  /** Takes the smallest kept buffer of at least `need` bytes, so large ones stay for large batches. */
  take(need: number): ArrayBuffer | undefined {
    const best = this.#smallestIndex(need);
    return best < 0 ? undefined : this.#buffers.splice(best, 1)[0];
  }

  /** Offers a buffer back; it is kept if there is room or it is larger than the smallest kept one. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength > this.#maxBytes || this.#maxCount === 0) return;
    if (this.#buffers.length < this.#maxCount) {
      this.#buffers.push(buffer);
      return;
    }
    const smallest = this.#smallestIndex(0);
    if ((this.#buffers[smallest] as ArrayBuffer).byteLength < buffer.byteLength) this.#buffers[smallest] = buffer;
  }

  #smallestIndex(need: number): number {
    let best = -1;
    for (let i = 0; i < this.#buffers.length; i++) {
      const size = (this.#buffers[i] as ArrayBuffer).byteLength;
      if (size >= need && (best < 0 || size < (this.#buffers[best] as ArrayBuffer).byteLength)) best = i;
    }
    return best;
  }
}
