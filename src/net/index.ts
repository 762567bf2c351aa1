// The network layer: a libp2p host that runs the sync layer's protocols over real streams.
export { createNetHost, NetHost, type ConnectivityState, type NetHostEvents } from './host.ts';
export { isDialable, peerIdOf, withoutPeerId } from './addresses.ts';
export { listenAddresses, type ListenSpec, type NetHostOptions } from './host-options.ts';
export { NET_LIMITS, netLimitsOf, type NetLimits } from './limits.ts';
export { derivePeerKey, peerIdOfKey, PEER_KEY_INFO, PEER_KEY_SALT } from './peer-key.ts';
export { defaultConnectionEncrypters, type ConnectionEncrypterFactory } from './encryption.ts';
export { MDNS_SERVICE_TAG, type MdnsOptions } from './libp2p-node.ts';
export { SYNC_PROTOCOL } from './sync-protocol.ts';
export { GOSSIP_PROTOCOL } from './push-protocol.ts';
export { encodeLengthPrefix, LengthPrefixParser, MAX_PREFIX_BYTES, offerFrame, writeFrame } from './frames.ts';
export { FrameReader, type FrameReaderOptions } from './frame-reader.ts';
export { MAX_ADDRESSES_PER_PEER, MAX_KNOWN_PEERS, type KnownPeer, type PeerSummary } from './peer-book.ts';
export { MemoryPeerStates, MEMORY_PEER_STATES_CAPACITY, type PeerStateStore } from './peer-states.ts';
export { DEFAULT_REDIAL_CONFIG, type RedialConfig } from './redialer.ts';
export type { Misbehaviour } from './peer-guard.ts';
export type { SessionReport } from './session-ticket.ts';
export type { NetStats } from './net-stats.ts';
export * from './errors.ts';
