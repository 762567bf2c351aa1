import { fromHex } from '../crypto/index.ts';
import type { NetIngester } from './ingest-port.ts';
import { DagReplica } from '../sync/index.ts';

export interface NodeReplicaOptions {
  /**
   * Whether vertices of a topic are accepted from peers. Default: every topic — a node carries
   * any vertex it can verify, member or not (the mesh is the people: a courier of groups it cannot
   * read), as the simulator's nodes do.
   */
  readonly carries?: (topic: Uint8Array, peer: string | undefined) => boolean;
  /** The peer of the sync session running now, for `carries`; default unknown. */
  readonly sessionPeer?: () => string | undefined;
  /** Topics listed in courier summaries besides those with vertices (see `NetHostOptions.declinedTopics`). */
  readonly declinedTopics?: () => Iterable<Uint8Array>;
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
  const carries = options.carries;
  const sessionPeer = options.sessionPeer ?? ((): undefined => undefined);
  const declined = options.declinedTopics;
  const replica = new DagReplica({
    dag: ingester.dag,
    bytes: (key) => ingester.store.getVertexBytes(fromHex(key)),
    keys: ingester.keys,
    authors: () => authors.list(),
    carries: carries === undefined ? (): boolean => true : (topic) => carries(topic, sessionPeer()),
    ...(declined === undefined ? {} : { topics: () => [...ingester.dag.topics().map(fromHex), ...declined()] }),
  });
  const detach = ingester.onStored((vertices) => replica.noteAdded(vertices));
  return { replica, detach };
}

/**
 * Ids of the authors whose keys the node holds (announced in the author filter of each session).
 * Every key the node learns is stored, and keys are never removed, so the stored count tells
 * whether the list is current: a session costs one count query when no key was added.
 */
class AuthorIds {
  readonly #ingester: NetIngester;
  #ids: Uint8Array[] = [];
  #count = -1;

  constructor(ingester: NetIngester) {
    this.#ingester = ingester;
  }

  list(): Uint8Array[] {
    const store = this.#ingester.store;
    const count = store.keyCount;
    if (count !== this.#count) {
      this.#ids = store.authorIds();
      this.#count = count;
    }
    return this.#ids;
  }
}
