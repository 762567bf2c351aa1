import type { CryptoProvider } from '../crypto/index.ts';
import type { DagOptions, DecodedVertex, VertexSigner } from '../dag/index.ts';
import type { AntiEntropyConfig, ForwardPolicy, GossipConfig, SyncTuning } from '../sync/index.ts';
import type { Prng } from './prng.ts';
import type { SimNode } from './sim-node.ts';
import type { KeyDirectory, VertexPool } from './vertex-pool.ts';

/**
 * How nodes learn authors' public keys: `roster` pre-shares every author's key at setup (what
 * group members know of each other); `sync` gives each node only its own key, and the rest
 * arrive through the reconciliation protocol's key exchange (a vertex whose author is still
 * unknown is refused by gossip and fetched again by a later session, with its key).
 */
export type KeyDistribution = 'roster' | 'sync';

export interface SimNodeOptions {
  readonly index: number;
  readonly provider: CryptoProvider;
  readonly signer: VertexSigner;
  /** The node's own public key. */
  readonly publicKey: Uint8Array;
  /** Every author's key (the roster); consulted only with `keyDistribution: 'roster'`. */
  readonly roster: KeyDirectory;
  /** How authors' keys reach the node (default `roster`: pre-shared at setup). */
  readonly keyDistribution?: KeyDistribution;
  readonly pool: VertexPool;
  readonly prng: Prng;
  readonly now: number;
  readonly syncTuning?: Partial<SyncTuning>;
  readonly gossip?: Partial<GossipConfig>;
  readonly antiEntropy?: Partial<AntiEntropyConfig>;
  readonly dag?: DagOptions;
  /**
   * Refuse a session a peer opens while `antiEntropy.maxConcurrent` sessions already run (the
   * peer retries later). Default true.
   */
  readonly refuseWhenBusy?: boolean;
  /** How a vertex is passed on, by how it arrived; default `DEFAULT_FORWARD_POLICY`. */
  readonly forward?: Partial<ForwardPolicy>;
  /** Called with every vertex placed in this node's DAG, in causal order (the CRDT layer's hook). */
  readonly onPlaced?: (node: SimNode, vertex: DecodedVertex) => void;
}
