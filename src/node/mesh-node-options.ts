import type { CryptoProvider } from '../crypto/index.ts';
import type { Identity } from '../identity/index.ts';
import type { NetHostOptions } from '../net/index.ts';

/**
 * The network side of a MeshNode: every `NetHostOptions` field except those the node supplies
 * itself (the ingester, the peer key derived from the identity, the known peers and sync states
 * it keeps in the store), plus peers to dial at start.
 */
export type MeshNetOptions = Omit<NetHostOptions, 'ingester' | 'privateKey' | 'knownPeers' | 'onKnownPeersChange' | 'peerStates'> & {
  /**
   * Multiaddrs ending in `/p2p/<peer id>` to dial at start (bootstrap or LAN peers given by hand).
   * They join the peers remembered in the store and are redialled with backoff like them until
   * they answer. Default none.
   */
  readonly peers?: readonly string[];
};

export interface MeshNodeOptions {
  /** The unlocked identity: it signs this node's vertices, and its seed yields the libp2p key. */
  readonly identity: Identity;
  readonly provider: CryptoProvider;
  /** Path of the node's SQLite store (created and migrated if needed). */
  readonly storePath: string;
  /** Signature verification threads. Default: every core (`os.availableParallelism()`). */
  readonly workers?: number;
  /** Network options; see `MeshNetOptions`. Default: TCP and WebSocket on every IPv4 interface, any ports, mDNS on. */
  readonly net?: MeshNetOptions;
  /** Wall clock in Unix ms (message times, invite expiry, sync lag). Default `Date.now`. */
  readonly now?: () => number;
  /** Told about background trouble that does not stop the node (a failed admission, a store write for peers). */
  readonly warn?: (message: string) => void;
}
