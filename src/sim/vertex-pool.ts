import type { AuthorKey, KeySource } from '../dag/index.ts';
import { idKey } from '../dag/index.ts';

/**
 * Vertex bytes shared by every simulated node: a node keeps the pooled copy of each vertex it
 * holds, so a thousand nodes holding the same vertex cost one buffer, not a thousand. Pooled
 * buffers are never mutated. A node interns only bytes it has validated itself, so sharing never
 * lets one node's copy vouch for another's.
 */
export class VertexPool {
  readonly #bytes = new Map<string, Uint8Array>();
  #total = 0;

  get size(): number {
    return this.#bytes.size;
  }

  /** Sum of the sizes of the pooled vertices. */
  get totalBytes(): number {
    return this.#total;
  }

  /** The pooled buffer with these contents (copied into the pool the first time). */
  intern(key: string, bytes: Uint8Array): Uint8Array {
    const pooled = this.#bytes.get(key);
    if (pooled !== undefined) return pooled;
    const copy = Uint8Array.from(bytes);
    this.#bytes.set(key, copy);
    this.#total += copy.length;
    return copy;
  }

  get(key: string): Uint8Array | undefined {
    return this.#bytes.get(key);
  }

  keys(): IterableIterator<string> {
    return this.#bytes.keys();
  }
}

/**
 * The authors' public keys, pre-shared at setup: the roster a group's members know (in the
 * product, the group layer distributes member keys; the simulator hands every node the roster).
 * Each node still verifies every key against the author id through its own `KeyRing`.
 */
export class KeyDirectory implements KeySource {
  readonly #keys = new Map<string, AuthorKey>();
  /** Author ids by hex, for nodes to announce as known. */
  readonly authors = new Map<string, Uint8Array>();

  add(author: Uint8Array, key: AuthorKey): void {
    const k = idKey(author);
    this.#keys.set(k, key);
    this.authors.set(k, Uint8Array.from(author));
  }

  getKey(author: Uint8Array): AuthorKey | undefined {
    return this.#keys.get(idKey(author));
  }

  get size(): number {
    return this.#keys.size;
  }
}
