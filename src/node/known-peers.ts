import { multiaddr } from '@multiformats/multiaddr';
import { peerIdOf, withoutPeerId, type KnownPeer } from '../net/index.ts';
import type { NetTables } from '../store/index.ts';
import { NodeError } from './errors.ts';

/*
 * The peers a node redials after a restart: those its host learnt, kept in the store (schema v5,
 * `net_peers`), with the peers given in the configuration merged in at start.
 */

/** The remembered peers, as the network host takes them. */
export function storedKnownPeers(tables: NetTables): KnownPeer[] {
  return tables.knownPeers().map((p) => ({ peerId: p.peerId, addresses: p.addresses, ...(p.lastConnectedAt === undefined ? {} : { lastConnectedAt: p.lastConnectedAt }) }));
}

/** Replaces the remembered peers with the host's; a failed write is a warning (the next change writes them again). */
export function saveKnownPeers(tables: NetTables, peers: readonly KnownPeer[], warn: (message: string) => void): void {
  try {
    tables.replaceKnownPeers(peers.map((p) => ({ peerId: p.peerId, addresses: p.addresses, lastConnectedAt: p.lastConnectedAt })));
  } catch (error) {
    warn(`could not store the known peers: ${(error as Error).message}`);
  }
}

/**
 * The remembered peers with the configured ones merged in (first, so they are dialled early);
 * a configured address must name its peer (`/p2p/<peer id>`), or it could not be redialled.
 */
export function withConfigured(stored: readonly KnownPeer[], configured: readonly string[]): KnownPeer[] {
  const byId = new Map(stored.map((p) => [p.peerId, p]));
  const first: KnownPeer[] = [];
  for (const text of configured) {
    let ma;
    try {
      ma = multiaddr(text);
    } catch (error) {
      throw new NodeError('ERR_NODE_PEER_ADDRESS', `peer address ${JSON.stringify(text)} is not a multiaddr: ${(error as Error).message}`);
    }
    const peerId = peerIdOf(ma);
    if (peerId === undefined) throw new NodeError('ERR_NODE_PEER_ADDRESS', `peer address ${text} does not end in /p2p/<peer id>`);
    const address = withoutPeerId(ma);
    const at = first.findIndex((p) => p.peerId === peerId);
    // A peer configured again keeps what its first entry took from the store (lastConnectedAt).
    const earlier = first[at];
    if (earlier !== undefined) {
      first[at] = { ...earlier, addresses: [...new Set([...earlier.addresses, address])] };
      continue;
    }
    const old = byId.get(peerId);
    byId.delete(peerId);
    first.push({ ...old, peerId, addresses: [address, ...(old?.addresses ?? []).filter((a) => a !== address)] });
  }
  return [...first, ...byId.values()];
}
