import type { AuthorKey } from '../dag/index.ts';

/**
 * One vertex in the reconciliation order: Lamport clock, then id bytes (the DAG's deterministic
 * topological order). `key` is the lower-case hex of `id`, so comparing keys compares ids.
 */
export interface SyncItem {
  readonly lamport: number;
  readonly id: Uint8Array;
  readonly key: string;
}

/** What reconciliation needs to know about a vertex the replica holds. */
export interface SyncVertexMeta {
  /** Hex of the 16-byte topic. */
  readonly topic: string;
  readonly lamport: number;
  /** Keys (hex ids) of the parents. */
  readonly parents: readonly string[];
  /** Hex of the 32-byte author id. */
  readonly author: string;
}

/**
 * A topic's vertices in (lamport, id) order, read-only. Implementations keep it sorted as vertices
 * arrive (never re-sorting the whole topic per message). It may grow between two calls of a
 * session (the host ingests what the session hands it); it never shrinks during a session.
 */
export interface OrderedVertices {
  readonly size: number;
  at(index: number): SyncItem;
  /** Index of the first item >= (lamport, id prefix), or `size`. Lamport `Infinity` is past the end. */
  lowerBound(lamport: number, prefix: Uint8Array): number;
}

/**
 * The local node as a sync session sees it. Everything is synchronous and in memory (the DAG
 * metadata, a bytes lookup, the key ring); the session never writes to it: received vertices and
 * keys are handed back to the host, which validates and ingests them through the normal path.
 */
export interface SyncReplica {
  /** Every topic (16-byte tag) this node carries, readable or not: what courier mode reconciles. */
  topics(): Iterable<Uint8Array>;
  /** Whether this node accepts vertices of `topic` from a peer (it is a member, or a courier of it). */
  carries(topic: Uint8Array): boolean;
  /** Ids of the topic's vertices without children, ascending. */
  frontier(topic: Uint8Array): readonly Uint8Array[];
  /** Number of vertices of `topic` held. */
  topicSize(topic: Uint8Array): number;
  has(key: string): boolean;
  meta(key: string): SyncVertexMeta | undefined;
  ordered(topic: Uint8Array): OrderedVertices;
  /**
   * The topic's vertices that are neither in `frontier` nor its ancestors, in (lamport, id) order.
   * Every id of `frontier` is held (the caller checks).
   */
  missingFor(topic: Uint8Array, frontier: readonly Uint8Array[]): SyncItem[];
  /** Canonical bytes of a held vertex. */
  vertexBytes(key: string): Uint8Array | undefined;
  /** Public key of an author (hex id), if held. */
  authorKey(author: string): AuthorKey | undefined;
  /** Ids of the authors whose keys are held; announced to peers so they send only missing keys. */
  knownAuthors(): Iterable<Uint8Array>;
}
