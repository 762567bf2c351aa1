import type { TrafficCounter } from './traffic.ts';

/** A peer this node has met, as it is remembered (and may be persisted) for redialling. */
export interface KnownPeer {
  /** libp2p peer id string. */
  readonly peerId: string;
  /** Dialable multiaddrs without the `/p2p/` suffix, most recently learnt first. */
  readonly addresses: readonly string[];
  /** When the peer was last connected (Unix ms), if ever. */
  readonly lastConnectedAt?: number;
}

/** A connected peer, as `NetHost.peers()` reports it. */
export interface PeerSummary {
  readonly peerId: string;
  readonly addresses: readonly string[];
  /** Who opened the first connection. */
  readonly direction: 'inbound' | 'outbound';
  /** Unix ms. */
  readonly connectedAt: number;
  /** End of the last completed sync session with the peer (Unix ms), if any since it connected. */
  readonly lastSyncAt: number | undefined;
  /** Bytes of our protocols' frames received from / sent to the peer on this connection. */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface PeerBookOptions {
  readonly known?: readonly KnownPeer[];
  /** Called with the whole list whenever a peer or an address is learnt or forgotten. */
  readonly onChange?: (peers: KnownPeer[]) => void;
  /** Wall clock (Unix ms); default `Date.now`. */
  readonly now?: () => number;
}

/** Peers remembered at most; the least recently connected are forgotten first. */
export const MAX_KNOWN_PEERS = 256;
/** Addresses remembered per peer. */
export const MAX_ADDRESSES_PER_PEER = 8;

interface Live {
  readonly direction: 'inbound' | 'outbound';
  readonly connectedAt: number;
  lastSyncAt: number | undefined;
  bytesIn: number;
  bytesOut: number;
}

/**
 * What the host knows about peers: every peer met (with addresses to redial it, bounded and in
 * memory; `onChange` lets a caller persist it), and the connected ones with their traffic and
 * sync times.
 */
export class PeerBook implements TrafficCounter {
  readonly #known = new Map<string, KnownPeer>();
  readonly #live = new Map<string, Live>();
  readonly #onChange: ((peers: KnownPeer[]) => void) | undefined;
  readonly #now: () => number;

  constructor(options: PeerBookOptions = {}) {
    this.#onChange = options.onChange;
    this.#now = options.now ?? Date.now;
    // `known` comes most recent first (as `known()` gives it); inserting oldest first keeps that order.
    for (const p of [...(options.known ?? [])].reverse()) this.#put({ peerId: p.peerId, addresses: p.addresses.slice(0, MAX_ADDRESSES_PER_PEER), ...(p.lastConnectedAt === undefined ? {} : { lastConnectedAt: p.lastConnectedAt }) });
  }

  /** Every remembered peer, most recently connected first. */
  known(): KnownPeer[] {
    return [...this.#known.values()].reverse();
  }

  addressesOf(peer: string): readonly string[] {
    return this.#known.get(peer)?.addresses ?? [];
  }

  /** Remembers dialable addresses of `peer` (the newest first). */
  learn(peer: string, addresses: readonly string[]): void {
    if (addresses.length === 0) return;
    const old = this.#known.get(peer);
    const merged = [...new Set([...addresses, ...(old?.addresses ?? [])])].slice(0, MAX_ADDRESSES_PER_PEER);
    if (old !== undefined && merged.length === old.addresses.length && merged.every((a, i) => a === old.addresses[i])) return;
    this.#put({ ...old, peerId: peer, addresses: merged });
    this.#changed();
  }

  connected(peer: string, direction: 'inbound' | 'outbound'): void {
    const now = this.#now();
    this.#live.set(peer, { direction, connectedAt: now, lastSyncAt: undefined, bytesIn: 0, bytesOut: 0 });
    const old = this.#known.get(peer);
    if (old !== undefined) this.#put({ ...old, lastConnectedAt: now });
  }

  disconnected(peer: string): void {
    this.#live.delete(peer);
  }

  isConnected(peer: string): boolean {
    return this.#live.has(peer);
  }

  get connectedCount(): number {
    return this.#live.size;
  }

  synced(peer: string): void {
    const live = this.#live.get(peer);
    if (live !== undefined) live.lastSyncAt = this.#now();
  }

  received(peer: string, bytes: number): void {
    const live = this.#live.get(peer);
    if (live !== undefined) live.bytesIn += bytes;
  }

  sent(peer: string, bytes: number): void {
    const live = this.#live.get(peer);
    if (live !== undefined) live.bytesOut += bytes;
  }

  summary(peer: string): PeerSummary | undefined {
    const live = this.#live.get(peer);
    if (live === undefined) return undefined;
    return { peerId: peer, addresses: this.addressesOf(peer), ...live };
  }

  connectedPeers(): PeerSummary[] {
    return [...this.#live.keys()].map((p) => this.summary(p) as PeerSummary);
  }

  #put(peer: KnownPeer): void {
    // Map order is recency: re-inserting moves the peer to the end, the oldest are at the front.
    this.#known.delete(peer.peerId);
    this.#known.set(peer.peerId, peer);
    while (this.#known.size > MAX_KNOWN_PEERS) this.#known.delete(this.#known.keys().next().value as string);
  }

  #changed(): void {
    this.#onChange?.(this.known());
  }
}
