import type { CryptoProvider } from '../crypto/index.ts';
import type { Identity } from '../identity/index.ts';
import type { DnsBootstrapOptions, NetHostOptions } from '../net/index.ts';
import type { CourierQuotas } from './courier-quotas.ts';
import type { PresenceSchedule } from './group-presence.ts';

/**
 * The network side of a MeshNode: every `NetHostOptions` field except those the node supplies
 * itself (the ingester, the peer key derived from the identity, the known peers and sync states
 * it keeps in the store), plus peers to dial at start.
 */
export type MeshNetOptions = Omit<NetHostOptions, 'ingester' | 'privateKey' | 'identity' | 'knownPeers' | 'onKnownPeersChange' | 'peerStates' | 'carries' | 'declinedTopics'> & {
  /**
   * Multiaddrs ending in `/p2p/<peer id>` to dial at start (bootstrap or LAN peers given by hand).
   * They join the peers remembered in the store and are redialled with backoff like them until
   * they answer. Default none.
   */
  readonly peers?: readonly string[];
  /**
   * Bootstrap nodes (PIP-4 level 1): multiaddrs ending in `/p2p/<peer id>`, dialled at start and
   * redialled with backoff like `peers`; once one answers, the DHT finds the rest. Default none.
   */
  readonly bootstrap?: readonly string[];
  /**
   * PIP-4 level 2: a DNS name whose TXT records `dnsaddr=<multiaddr>` name more bootstrap nodes,
   * resolved once at start, only when set. A failed resolution is a warning: configured peers,
   * the DHT, mDNS and invites keep working. Default none.
   */
  readonly bootstrapDns?: DnsBootstrapOptions;
  /** When the node announces its groups in the DHT and looks their members up (ignored with `dht: false`). */
  readonly presence?: Partial<PresenceSchedule>;
  /**
   * How much this node keeps of topics it is not a member of, as a courier for others (see
   * `CourierQuotas`; docs/LIMITS.md, "Courier quotas"). Default `DEFAULT_COURIER_QUOTAS`.
   */
  readonly courier?: Partial<CourierQuotas>;
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
