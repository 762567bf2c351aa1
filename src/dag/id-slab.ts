import { VERTEX_LIMITS } from './limits.ts';
import { DagError } from './rejection.ts';

/** Ids per chunk: 64 KiB, so a chunk's few wasted slots (retracted vertices) cost nothing. */
const IDS_PER_CHUNK = 2048;

/**
 * Long-lived copies of 32-byte ids, packed into shared chunks. Each copy is a view of its chunk
 * rather than a Uint8Array with an ArrayBuffer of its own, which V8 keeps as three heap objects
 * (view, buffer, bytes) of about 250 bytes together; a node keeps one id per vertex it holds.
 *
 * Never transfer a copy's `buffer` (postMessage): it is the whole chunk, shared with other ids.
 */
export class IdSlab {
  #chunk = new Uint8Array(0);
  #used = 0;

  /** A copy of `id` that keeps nothing of `id`'s own buffer alive. */
  copy(id: Uint8Array): Uint8Array {
    const size = VERTEX_LIMITS.idBytes;
    if (id.length !== size) throw new DagError('ERR_ID_SIZE', `an id is ${size} bytes, got ${id.length}`);
    if (this.#used + size > this.#chunk.length) {
      this.#chunk = new Uint8Array(IDS_PER_CHUNK * size);
      this.#used = 0;
    }
    const out = this.#chunk.subarray(this.#used, this.#used + size);
    out.set(id);
    this.#used += size;
    return out;
  }
}
