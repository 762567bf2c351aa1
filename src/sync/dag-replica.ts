import { fromHex, toHex } from '../crypto/index.ts';
import { idKey, type AuthorKey, type Dag, type KeySource } from '../dag/index.ts';
import { notInPastOf, type WalkNode } from './past-walk.ts';
import type { OrderedVertices, SyncItem, SyncReplica, SyncVertexMeta } from './replica.ts';
import { SortedItems } from './sorted-items.ts';

export interface DagReplicaOptions {
  /** The node's DAG (metadata of every placed vertex). */
  readonly dag: Dag;
  /** Canonical bytes of a placed vertex by key (the store, or a map in tests and the simulator). */
  readonly bytes: (key: string) => Uint8Array | undefined;
  /** Author public keys (a KeyRing, the store). */
  readonly keys: KeySource;
  /** Ids of the authors whose keys are held; default none (peers then send every key they use). */
  readonly authors?: () => Iterable<Uint8Array>;
  /** Topics carried; default the DAG's topics (those with at least one vertex). */
  readonly topics?: () => Iterable<Uint8Array>;
  /** Whether vertices of a topic are accepted from peers; default: it is one of `topics` (give this when there are many). */
  readonly carries?: (topic: Uint8Array) => boolean;
}

/** Anything placed in the DAG, as `Dag.add` reports it (`DecodedVertex`) or `Dag.get` returns it. */
export interface PlacedVertex {
  readonly id: Uint8Array;
  readonly key: string;
  readonly lamport: number;
  readonly topic: Uint8Array | string;
}

/**
 * `SyncReplica` over the in-memory `Dag` plus a bytes lookup and a key lookup. It keeps each
 * topic's (lamport, id) order as a sorted array built on first use and extended as the host
 * reports placed vertices (`noteAdded`), so sessions never re-sort a topic per message; if the
 * DAG changed without a report (a reload, a retraction), the topic is rebuilt on next use.
 */
export class DagReplica implements SyncReplica {
  readonly #o: DagReplicaOptions;
  readonly #index = new Map<string, SortedItems>();

  constructor(options: DagReplicaOptions) {
    this.#o = options;
  }

  /** Reports vertices the host placed in the DAG (e.g. `AddOutcome.added`, `IngestReport.stored`). */
  noteAdded(vertices: Iterable<PlacedVertex>): void {
    for (const v of vertices) {
      const topic = typeof v.topic === 'string' ? v.topic : toHex(v.topic);
      this.#index.get(topic)?.insert({ lamport: v.lamport, id: v.id, key: v.key });
    }
  }

  topics(): Iterable<Uint8Array> {
    return this.#o.topics?.() ?? this.#o.dag.topics().map(fromHex);
  }

  carries(topic: Uint8Array): boolean {
    if (this.#o.carries !== undefined) return this.#o.carries(topic);
    if (this.#o.topics === undefined) return this.#o.dag.topicSize(topic) > 0;
    const hex = toHex(topic);
    for (const t of this.#o.topics()) if (toHex(t) === hex) return true;
    return false;
  }

  frontier(topic: Uint8Array): readonly Uint8Array[] {
    return this.#o.dag.frontier(topic);
  }

  topicSize(topic: Uint8Array): number {
    return this.#o.dag.topicSize(topic);
  }

  has(key: string): boolean {
    return this.#o.dag.has(key);
  }

  meta(key: string): SyncVertexMeta | undefined {
    const m = this.#o.dag.get(key);
    return m === undefined ? undefined : { topic: m.topic, lamport: m.lamport, parents: m.parents, author: m.author };
  }

  ordered(topic: Uint8Array): OrderedVertices {
    const hex = toHex(topic);
    const size = this.#o.dag.topicSize(hex);
    let index = this.#index.get(hex);
    if (index === undefined || index.size !== size) {
      const items = this.#o.dag.topologicalOrder(hex).map((m): SyncItem => ({ lamport: m.lamport, id: m.id, key: m.key }));
      index = new SortedItems(items);
      this.#index.set(hex, index);
    }
    return index;
  }

  missingFor(topic: Uint8Array, frontier: readonly Uint8Array[]): SyncItem[] {
    const dag = this.#o.dag;
    const node = (key: string): WalkNode | undefined => dag.get(key);
    return notInPastOf(dag.frontier(topic).map(idKey), frontier.map(idKey), node);
  }

  vertexBytes(key: string): Uint8Array | undefined {
    return this.#o.bytes(key);
  }

  authorKey(author: string): AuthorKey | undefined {
    return this.#o.keys.getKey(fromHex(author));
  }

  knownAuthors(): Iterable<Uint8Array> {
    return this.#o.authors?.() ?? [];
  }
}
