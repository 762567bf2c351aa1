import { fromHex } from '../crypto/index.ts';
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

/**
 * The node as sync sessions see it: the Ingester's DAG, vertex bytes from its store, and its key
 * ring. It follows every commit through `Ingester.onStored`, so sessions see new vertices (local
 * writes and received ones alike) without re-sorting a topic.
 */
export function nodeReplica(ingester: NetIngester, options: NodeReplicaOptions = {}): DagReplica {
  const authors = new AuthorIds(ingester);
  const replica = new DagReplica({
    dag: ingester.dag,
    bytes: (key) => ingester.store.getVertexBytes(fromHex(key)),
    keys: ingester.keys,
    authors: () => authors.list(),
    carries: options.carries ?? ((): boolean => true),
  });
  ingester.onStored((vertices) => replica.noteAdded(vertices));
  return replica;
}

/** Ids of the authors whose keys the store holds (announced in the author filter of each session). */
class AuthorIds {
  readonly #ingester: NetIngester;
  #ids: Uint8Array[] = [];
  #count = -1;

  constructor(ingester: NetIngester) {
    this.#ingester = ingester;
  }

  list(): Uint8Array[] {
    // Keys are only ever added, so their count tells whether the list is current.
    const keys = this.#ingester.store.keys();
    if (keys.length !== this.#count) {
      this.#ids = keys.map((k) => this.#ingester.provider.sha3_256(k.publicKey));
      this.#count = keys.length;
    }
    return this.#ids;
  }
}
