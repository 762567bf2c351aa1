import { equalBytes, toHex } from '../crypto/index.ts';
import { decodeVertex, type AuthorKey } from '../dag/index.ts';
import { SyncDecodeFailure } from './errors.ts';
import { SYNC_LIMITS } from './limits.ts';
import type { SyncReplica } from './replica.ts';
import type { TopicSync } from './topic-sync.ts';

interface Held {
  readonly bytes: Uint8Array;
  readonly author: string;
}

/**
 * Received vertices and keys on their way to the host. A vertex whose author key is unknown (to
 * the replica and to this session) is held back with every later vertex of its topic, so the
 * host still gets each topic parents first; it goes out with the key, or when the session ends.
 * Vertex bytes are checked to decode and to belong to the record's topic; verification is the
 * host's.
 */
export class VertexIntake {
  readonly #replica: SyncReplica;
  readonly #hash: (data: Uint8Array) => Uint8Array;
  readonly #keys = new Map<string, AuthorKey>();
  readonly #known = new Set<string>();
  readonly #held = new Map<string, Held[]>();
  readonly #toAsk = new Set<string>();
  #heldBytes = 0;

  constructor(replica: SyncReplica, hash: (data: Uint8Array) => Uint8Array) {
    this.#replica = replica;
    this.#hash = hash;
  }

  #authorKnown(author: string): boolean {
    if (this.#known.has(author)) return true;
    if (this.#keys.has(author) || this.#replica.authorKey(author) !== undefined) {
      this.#known.add(author);
      return true;
    }
    return false;
  }

  /** Takes a VERTICES record's vertices; returns their total size. Throws SyncDecodeFailure on bad bytes. */
  take(t: TopicSync, vertices: readonly Uint8Array[], out: Uint8Array[]): number {
    const accepts = t.carried(this.#replica);
    let total = 0;
    for (const bytes of vertices) {
      const decoded = decodeVertex(bytes);
      if (!decoded.ok) throw new SyncDecodeFailure('bad-vertex', `vertex does not decode: ${decoded.reason}`);
      if (!equalBytes(decoded.vertex.topic, t.topic)) throw new SyncDecodeFailure('bad-vertex', 'vertex of another topic');
      total += bytes.length;
      if (!accepts) continue;
      const author = toHex(decoded.vertex.author);
      const queue = this.#held.get(t.hex);
      if (queue === undefined && this.#authorKnown(author)) {
        // A view, not a copy: the frame is garbage once its vertices are committed, and the DAG's
        // quarantine copies out any vertex that has to wait. Held vertices (below) are copied.
        out.push(bytes);
        continue;
      }
      this.#heldBytes += bytes.length;
      if (this.#heldBytes > SYNC_LIMITS.maxHeldBytes) throw new SyncDecodeFailure('limit-exceeded', 'too many vertices waiting for author keys');
      const held = { bytes: bytes.slice(), author };
      if (queue === undefined) this.#held.set(t.hex, [held]);
      else queue.push(held);
      if (!this.#authorKnown(author)) this.#toAsk.add(author);
    }
    return total;
  }

  /** Takes received keys (handed on to the host) and releases what waited for them; returns their authors. */
  keys(keys: readonly AuthorKey[], out: { vertices: Uint8Array[]; keys: AuthorKey[] }): string[] {
    const authors: string[] = [];
    for (const k of keys) {
      const author = toHex(this.#hash(k.publicKey));
      this.#keys.set(author, k);
      this.#toAsk.delete(author);
      authors.push(author);
      out.keys.push(k);
    }
    this.#release(out.vertices, false);
    return authors;
  }

  /** Authors to ask for (at most `max`), forgotten once returned: each is asked once. */
  takeAsks(max: number): string[] {
    const ask = [...this.#toAsk].slice(0, max);
    for (const a of ask) this.#toAsk.delete(a);
    return ask;
  }

  get asking(): boolean {
    return this.#toAsk.size > 0;
  }

  /** At the end of a session: everything still held goes to the host (keys may come from elsewhere). */
  releaseAll(out: Uint8Array[]): void {
    this.#release(out, true);
  }

  clear(): void {
    this.#held.clear();
    this.#heldBytes = 0;
  }

  #release(out: Uint8Array[], all: boolean): void {
    for (const [topic, queue] of this.#held) {
      let i = 0;
      while (i < queue.length && (all || this.#authorKnown((queue[i] as Held).author))) {
        out.push((queue[i] as Held).bytes);
        this.#heldBytes -= (queue[i] as Held).bytes.length;
        i++;
      }
      if (i === queue.length) this.#held.delete(topic);
      else queue.splice(0, i);
    }
  }
}
