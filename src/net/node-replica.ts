import { fromHex, toHex } from '../crypto/index.ts';
import type { AuthorKey } from '../dag/index.ts';
import type { NetIngester } from './ingest-port.ts';
import { DagReplica } from '../sync/index.ts';

export interface NodeReplicaOptions {
  /**
   * Whether vertices of a topic are accepted from peers. Default: every topic — a node carries
   * any vertex it can verify, member or not (the mesh is the people: a courier of groups it cannot
   * read), as the simulator's nodes do.
   */
  readonly carries?: (topic: Uint8Array) => boolean;
}

/** A replica that follows the Ingester's commits until `detach()`. */
export interface NodeReplica {
  readonly replica: DagReplica;
  /**
   * Stops following commits (the host calls it when it stops), so a stopped host's replica is no
   * longer kept up to date nor kept alive by the Ingester, which outlives the host. Idempotent.
   */
  detach(): void;
}

/**
 * The node as sync sessions see it: the Ingester's DAG, vertex bytes from its store, and its key
 * ring. It follows every commit through `Ingester.onStored`, so sessions see new vertices (local
 * writes and received ones alike) without re-sorting a topic.
 */
export function nodeReplica(ingester: NetIngester, options: NodeReplicaOptions = {}): NodeReplica {
  const authors = new AuthorIds(ingester);
  const replica = new DagReplica({
    dag: ingester.dag,
    bytes: (key) => ingester.store.getVertexBytes(fromHex(key)),
    keys: ingester.keys,
    authors: () => authors.list(),
    carries: options.carries ?? ((): boolean => true),
  });
  const detach = ingester.onStored((vertices) => replica.noteAdded(vertices));
  return { replica, detach };
}

/**
 * Ids of the authors whose keys the node holds (announced in the author filter of each session).
 *
 * The store's keys are read once; after that every key arrives through `Ingester.addKey`, which
 * puts it in the Ingester's key ring first. The ring only grows, and in insertion order (a key
 * added again keeps its place), so comparing its size tells whether a key was added and the new
 * ones are at its end: a session costs one comparison when no key was added.
 */
class AuthorIds {
  readonly #ingester: NetIngester;
  /** author hex of every id listed */
  readonly #known = new Set<string>();
  #ids: Uint8Array[] | undefined;
  /** How many of the ring's keys have been taken in. */
  #ringTaken = 0;

  constructor(ingester: NetIngester) {
    this.#ingester = ingester;
  }

  list(): Uint8Array[] {
    let ids = this.#ids;
    if (ids === undefined) ids = this.#withNew([], this.#ingester.store.keys());
    const ring = this.#ingester.keys;
    if (ring.size !== this.#ringTaken) {
      ids = this.#withNew(ids, ring.keys().slice(this.#ringTaken));
      this.#ringTaken = ring.size;
    }
    this.#ids = ids;
    return ids;
  }

  /** `ids` and the ids of those of `keys` not listed yet, as a new array (a listed one is never changed under a reader). */
  #withNew(ids: readonly Uint8Array[], keys: readonly AuthorKey[]): Uint8Array[] {
    const out = [...ids];
    for (const key of keys) {
      const id = this.#ingester.provider.sha3_256(key.publicKey);
      const hex = toHex(id);
      if (this.#known.has(hex)) continue;
      this.#known.add(hex);
      out.push(id);
    }
    return out;
  }
}
