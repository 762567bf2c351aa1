import type { ConnectivityState, NetHost, NetStats } from '../net/index.ts';
import type { JoinResult } from './group-types.ts';

/*
 * What a running MeshNode reports about itself (`pars status`, `pars peers`). Plain JSON values:
 * absent values are null, never undefined, so the shapes survive the control socket unchanged.
 */

/** One group's sync lag; see `SyncLag` for what "reconciled" guarantees. */
export interface GroupLag {
  /** Hex group id. */
  readonly id: string;
  readonly name: string;
  readonly members: number;
  /** Start of the last completed sync session, with any peer, that covered the group's topic (Unix ms); null: none since it appeared here. */
  readonly lastReconciledAt: number | null;
  /** now − lastReconciledAt; null when never reconciled. */
  readonly lagMs: number | null;
  /**
   * Vertices of the group's topic received but waiting in the quarantine for missing parents
   * (a part of `NodeStatus.waitingForParents`): a gap this node is still asking peers to fill.
   */
  readonly waitingForParents: number;
}

export interface NodeStatus {
  /** Hex node id (the ML-DSA identity). */
  readonly nodeId: string;
  /** libp2p peer id (derived from the identity; stable across restarts). */
  readonly peerId: string;
  readonly state: ConnectivityState;
  /** When this node started (Unix ms). */
  readonly startedAt: number;
  /** Addresses peers can dial, each ending in `/p2p/<peer id>`. */
  readonly multiaddrs: readonly string[];
  readonly peers: { readonly connected: number; readonly known: number };
  /** Vertices durably stored. */
  readonly vertices: number;
  /**
   * Vertices received but waiting in the quarantine for missing parents, all topics together
   * (not acknowledged: they are asked for again and dropped when their sender disconnects).
   */
  readonly waitingForParents: number;
  readonly groups: readonly GroupLag[];
  readonly net: NetStats;
}

export interface ConnectedPeer {
  readonly peerId: string;
  readonly addresses: readonly string[];
  readonly direction: 'inbound' | 'outbound';
  /** Unix ms. */
  readonly connectedAt: number;
  /** End of the last completed sync session with this peer since it connected (Unix ms). */
  readonly lastSyncAt: number | null;
  /** Bytes of Pars protocol frames received from / sent to the peer on this connection. */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface KnownPeerEntry {
  readonly peerId: string;
  readonly addresses: readonly string[];
  /** Unix ms; null when never connected (an address from the config, an invite, mDNS). */
  readonly lastConnectedAt: number | null;
  readonly connected: boolean;
}

export interface PeersReport {
  readonly connected: readonly ConnectedPeer[];
  /** Every remembered peer (redialled when it goes), most recently connected first. */
  readonly known: readonly KnownPeerEntry[];
  /** Peers refused for misbehaving, and for how much longer (ms). */
  readonly banned: readonly { readonly peerId: string; readonly remainingMs: number }[];
}

/** A join on a running node: the request is written, then the inviter's addresses are dialled. */
export interface MeshJoinResult extends JoinResult {
  /** Peer id of the inviter's node when one of the invite's addresses answered; null otherwise. */
  readonly reached: string | null;
  /** Why no address answered (null when one did, or when the invite carried none). */
  readonly dialProblem: string | null;
}

/** The host's connected, remembered and banned peers as `PeersReport` (all empty before the host exists). */
export function peersReport(host: NetHost | undefined): PeersReport {
  if (host === undefined) return { connected: [], known: [], banned: [] };
  const connected = host.peers();
  const live = new Set(connected.map((p) => p.peerId));
  return {
    connected: connected.map((p) => ({
      peerId: p.peerId,
      addresses: p.addresses,
      direction: p.direction,
      connectedAt: p.connectedAt,
      lastSyncAt: p.lastSyncAt ?? null,
      bytesIn: p.bytesIn,
      bytesOut: p.bytesOut,
    })),
    known: host.knownPeers().map((p) => ({ peerId: p.peerId, addresses: p.addresses, lastConnectedAt: p.lastConnectedAt ?? null, connected: live.has(p.peerId) })),
    banned: host.banned().map((b) => ({ peerId: b.peer, remainingMs: Math.round(b.remainingMs) })),
  };
}
