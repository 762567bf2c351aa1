import type { PrivateKey } from '@libp2p/interface';
import type { NetIngester } from './ingest-port.ts';
import type { AntiEntropyConfig, ForwardPolicy, GossipConfig, SyncTuning } from '../sync/index.ts';
import type { DhtOptions } from './dht/dht-options.ts';
import type { ConnectionIdentity } from './encryption.ts';
import type { MdnsOptions } from './libp2p-node.ts';
import type { NetLimits } from './limits.ts';
import type { KnownPeer } from './peer-book.ts';
import type { PeerStateStore } from './peer-states.ts';
import type { RedialConfig } from './redialer.ts';

/** Where a host listens, as `listenAddresses` builds the multiaddrs. */
export interface ListenSpec {
  /** Interface address. Default `0.0.0.0` (every IPv4 interface); `127.0.0.1` for loopback only. */
  readonly host?: string;
  /** TCP port; `0` picks a free one. Default 0. `false`: no TCP listener. */
  readonly tcpPort?: number | false;
  /** WebSocket port; `0` picks a free one. Default 0. `false`: no WebSocket listener. */
  readonly wsPort?: number | false;
}

/** Listen multiaddrs for TCP and WebSocket on one interface (defaults: every IPv4 interface, any ports). */
export function listenAddresses(spec: ListenSpec = {}): string[] {
  const host = spec.host ?? '0.0.0.0';
  const family = host.includes(':') ? 'ip6' : 'ip4';
  const out: string[] = [];
  if (spec.tcpPort !== false) out.push(`/${family}/${host}/tcp/${spec.tcpPort ?? 0}`);
  if (spec.wsPort !== false) out.push(`/${family}/${host}/tcp/${spec.wsPort ?? 0}/ws`);
  return out;
}

export interface NetHostOptions {
  /** The node's one path for vertices: received ones are validated and stored through it. */
  readonly ingester: NetIngester;
  /**
   * The libp2p key; `derivePeerKey(seed)` gives a node the same peer id at every start. Default:
   * a fresh random key (a new peer id each time).
   */
  readonly privateKey?: PrivateKey;
  /** Listen multiaddrs. Default `listenAddresses()`: TCP and WebSocket on every IPv4 interface, free ports. */
  readonly listen?: readonly string[];
  /** LAN discovery; discovered peers are dialled. Default enabled with `_pars-mesh._tcp.local`; `false` turns it off. */
  readonly mdns?: MdnsOptions | false;
  /** Peers met before (persisted by the caller): dialled at start and redialled when they go. */
  readonly knownPeers?: readonly KnownPeer[];
  /** Called with every known peer whenever a peer or address is learnt (to persist them). */
  readonly onKnownPeersChange?: (peers: KnownPeer[]) => void;
  /** Sync state per peer between sessions; default in memory (`MemoryPeerStates`). */
  readonly peerStates?: PeerStateStore;
  /**
   * Whether vertices of a topic are accepted from peers; default every topic (the node carries what
   * it can verify). `peer` is the peer of the sync session that asks (undefined outside one), so a
   * per-peer quota can turn one peer away without ending the topic for the others.
   */
  readonly carries?: (topic: Uint8Array, peer: string | undefined) => boolean;
  /**
   * Topics this node holds nothing of and declined (a courier at its quota), listed in its courier
   * summaries with an empty frontier so peers do not push them whole at every session. Default none.
   */
  readonly declinedTopics?: () => Iterable<Uint8Array>;
  readonly limits?: Partial<NetLimits>;
  /** Anti-entropy schedule; `idleTimeoutMs` defaults to `limits.idleTimeoutMs`. */
  readonly antiEntropy?: Partial<AntiEntropyConfig>;
  readonly gossip?: Partial<GossipConfig>;
  readonly forward?: Partial<ForwardPolicy>;
  /** Sync session tuning; default NET_SYNC_TUNING over the sync layer's defaults. */
  readonly syncTuning?: Partial<SyncTuning>;
  readonly redial?: Partial<RedialConfig>;
  /**
   * The node's identity: its ML-DSA-65 key authenticates every connection (the post-quantum
   * encrypter, the only one a host offers). Default: a fresh identity, like the fresh peer key.
   */
  readonly identity?: ConnectionIdentity;
  /**
   * The Kademlia DHT on `/pars/kad/1.0.0` in server mode: presence records signed with `identity`
   * and session discovery (`NetHost.presence`). Default on, with `DHT_LIMITS`; `false` turns it off.
   */
  readonly dht?: DhtOptions | false;
}
