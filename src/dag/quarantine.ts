import { fromHex, toHex } from '../crypto/index.ts';
import { decodeWithId } from './codec.ts';
import type { DecodedVertex } from './vertex.ts';

/** Caps of the missing-parent quarantine; see docs/LIMITS.md. */
export interface QuarantineLimits {
  /** Most vertices waiting in total. */
  readonly maxVertices: number;
  /** Most bytes of waiting vertices in total. */
  readonly maxBytes: number;
  /** Most vertices waiting from any one source (peer, bundle), so one source cannot fill it. */
  readonly maxPerSource: number;
}

export const DEFAULT_QUARANTINE_LIMITS: QuarantineLimits = Object.freeze({
  maxVertices: 10_000,
  maxBytes: 64 * 1024 * 1024,
  maxPerSource: 2_000,
});

/** Whether `bytes` is the whole of its buffer (not a view into something larger). */
function ownsBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/**
 * The vertex with its fields in memory of its own. Received vertices are views into the frame or
 * batch they came in (see VertexIntake; the verify pool's ids are views into one buffer per
 * batch), which is garbage once the batch is committed; a vertex that waits here may wait long,
 * and must not keep a whole frame or batch alive, nor count for less than the memory it holds.
 */
function compacted(vertex: DecodedVertex): DecodedVertex {
  const { bytes, id } = vertex;
  if (ownsBuffer(bytes) && ownsBuffer(id)) return vertex;
  // It decoded (and verified) before; should it not decode now, it is kept as it came.
  const own = decodeWithId(bytes.slice(), id.slice());
  return own.ok ? own.vertex : vertex;
}

interface Waiting {
  readonly vertex: DecodedVertex;
  readonly missing: Set<string>;
  readonly source: string;
  /** Hex of the vertex's topic, kept so that removal does not encode it again. */
  readonly topic: string;
}

/**
 * Vertices whose parents have not arrived yet. Bounded in count, bytes and per source; a vertex
 * that does not fit is refused (not acknowledged, so the sender keeps it and offers it again)
 * rather than evicting one that another source is waiting on.
 */
export class Quarantine {
  readonly limits: QuarantineLimits;
  readonly #entries = new Map<string, Waiting>();
  /** parent key → keys of waiting vertices that need it */
  readonly #waitingOn = new Map<string, Set<string>>();
  readonly #perSource = new Map<string, number>();
  /** topic hex → vertices waiting; kept on every put and removal so a status read costs one lookup */
  readonly #perTopic = new Map<string, number>();
  #bytes = 0;

  constructor(limits: QuarantineLimits = DEFAULT_QUARANTINE_LIMITS) {
    this.limits = limits;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Vertices of `topicHex` (lower-case hex of the 16-byte topic) waiting here. */
  countByTopic(topicHex: string): number {
    return this.#perTopic.get(topicHex) ?? 0;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Parent keys a waiting vertex still lacks, or undefined if it is not waiting here. */
  missingOf(key: string): string[] | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : [...entry.missing];
  }

  /** Why `vertex` from `source` cannot be admitted now, or undefined if it fits. */
  admissionProblem(vertex: DecodedVertex, source: string): string | undefined {
    if (this.#entries.size >= this.limits.maxVertices) return `quarantine holds ${this.limits.maxVertices} vertices`;
    if (this.#bytes + vertex.bytes.length > this.limits.maxBytes) return `quarantine holds ${this.limits.maxBytes} bytes`;
    if ((this.#perSource.get(source) ?? 0) >= this.limits.maxPerSource) return `source ${source} has ${this.limits.maxPerSource} vertices waiting`;
    return undefined;
  }

  /** Admits a vertex; the caller has checked `admissionProblem`. */
  put(vertex: DecodedVertex, missing: ReadonlySet<string>, source: string): void {
    if (this.#entries.has(vertex.key)) return;
    const topic = toHex(vertex.topic);
    this.#entries.set(vertex.key, { vertex: compacted(vertex), missing: new Set(missing), source, topic });
    for (const parent of missing) {
      let set = this.#waitingOn.get(parent);
      if (set === undefined) this.#waitingOn.set(parent, (set = new Set()));
      set.add(vertex.key);
    }
    this.#perSource.set(source, (this.#perSource.get(source) ?? 0) + 1);
    this.#perTopic.set(topic, (this.#perTopic.get(topic) ?? 0) + 1);
    this.#bytes += vertex.bytes.length;
  }

  /** Records that `parentKey` is now in the DAG; returns the vertices that waited only for it. */
  parentArrived(parentKey: string): DecodedVertex[] {
    const waiters = this.#waitingOn.get(parentKey);
    if (waiters === undefined) return [];
    this.#waitingOn.delete(parentKey);
    const ready: DecodedVertex[] = [];
    for (const key of waiters) {
      const entry = this.#entries.get(key);
      if (entry === undefined) continue;
      entry.missing.delete(parentKey);
      if (entry.missing.size === 0) {
        this.#remove(key);
        ready.push(entry.vertex);
      }
    }
    return ready;
  }

  /**
   * Removes every vertex that waits, directly or through other waiting vertices, on `parentKey`
   * (which has been rejected for good); returns their keys.
   */
  dropDescendantsOf(parentKey: string): string[] {
    const dropped: string[] = [];
    const stack = [parentKey];
    while (stack.length > 0) {
      const key = stack.pop() as string;
      const waiters = this.#waitingOn.get(key);
      if (waiters === undefined) continue;
      this.#waitingOn.delete(key);
      for (const child of waiters) {
        if (this.#remove(child)) {
          dropped.push(child);
          stack.push(child);
        }
      }
    }
    return dropped;
  }

  /** Drops everything a source left waiting (e.g. when a peer disconnects); returns the count. */
  dropSource(source: string): number {
    let count = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.source === source && this.#remove(key)) count++;
    }
    return count;
  }

  /** Ids that some waiting vertex needs and that are not themselves waiting here: ask peers for these. */
  wanted(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const key of this.#waitingOn.keys()) if (!this.#entries.has(key)) out.push(fromHex(key));
    return out;
  }

  #remove(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    for (const parent of entry.missing) {
      const set = this.#waitingOn.get(parent);
      if (set === undefined) continue;
      set.delete(key);
      if (set.size === 0) this.#waitingOn.delete(parent);
    }
    decrement(this.#perSource, entry.source);
    decrement(this.#perTopic, entry.topic);
    this.#bytes -= entry.vertex.bytes.length;
    return true;
  }
}

/** Lowers a count by one, deleting it at zero so the maps hold only live sources and topics. */
function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left === 0) counts.delete(key);
  else counts.set(key, left);
}
