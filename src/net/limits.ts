import { GOSSIP_WIRE_LIMITS, SYNC_LIMITS, type SyncTuning } from '../sync/index.ts';
import { NetOptionsError } from './errors.ts';

/**
 * Resource limits of the network host. They bound what one peer can make this node hold or do;
 * a peer that breaks one is dropped and refused for `banMs` while the others keep being served.
 * None of them is part of a wire format: a peer cannot tell them apart from a slow link.
 *
 * The missing-parent quarantine is bounded by the Ingester (`IngesterOptions.dag.quarantine`);
 * the host passes each peer's id string as the ingest `source`, so `maxPerSource` (default 2,000
 * vertices) is each peer's share, and the share is freed when the peer disconnects.
 */
export interface NetLimits {
  /** Open connections at most (libp2p prunes beyond it). Default 64. */
  readonly maxConnections: number;
  /** Connections being set up at once (before encryption and muxing are done). Default 16. */
  readonly maxPendingConnections: number;
  /** New inbound connections per second from one address before further ones are refused. Default 10. */
  readonly inboundConnectionsPerSecond: number;
  /** Streams a peer may open on one connection, all protocols together (yamux). Default 32. */
  readonly maxStreamsPerConnection: number;
  /** Streams per connection, per direction, for each of our protocols (sync, gossip). Default 2. */
  readonly maxStreamsPerProtocol: number;
  /** Largest sync frame: fixed at the sync layer's `SYNC_LIMITS.maxFrameBytes` (1 MiB). */
  readonly maxSyncFrameBytes: number;
  /** Largest gossip frame: fixed at one gossip message, `GOSSIP_WIRE_LIMITS.maxMessageBytes` (77,893 bytes). */
  readonly maxGossipFrameBytes: number;
  /**
   * Yamux receive window per stream (bytes a peer may have in flight towards us on a stream
   * that we stopped reading). Default 2 MiB; at least 256 KiB (the yamux minimum).
   */
  readonly streamWindowBytes: number;
  /** Unread bytes a stream may buffer before libp2p resets it; above the window. Default 4 MiB. */
  readonly maxReadBufferBytes: number;
  /**
   * Unsent bytes queued on one of our streams. A gossip message that would go beyond is dropped
   * (anti-entropy repairs it); a sync session waits for the queue to drain instead. Default 8 MiB.
   */
  readonly maxSendBufferBytes: number;
  /** Received vertex bytes per peer handed to the Ingester and not yet committed; reading pauses above. Default 16 MiB. */
  readonly maxPendingIngestBytes: number;
  /** Points of misbehaviour a peer may collect before it is dropped and banned (see `PeerGuard`). Default 16. */
  readonly misbehaviourBudget: number;
  /** How long a dropped peer is refused (inbound and outbound). Default 10 minutes. */
  readonly banMs: number;
  /** A frame must be complete this long after its first byte arrived. Default 10 s. */
  readonly frameTimeoutMs: number;
  /** A sync stream with no frame from the peer for this long is aborted. Default 15 s. */
  readonly idleTimeoutMs: number;
  /** Dials, stream negotiations and waiting for a dialled peer to be ready give up after this long. Default 10 s. */
  readonly dialTimeoutMs: number;
  /** A sync stream is aborted after this long, whatever it is doing. Default 10 minutes. */
  readonly sessionTimeoutMs: number;
  /** `stop()` waits this long for running sessions before it aborts them. Default 2 s. */
  readonly stopDeadlineMs: number;
  /**
   * A peer that stalls or cuts a frame short is pinged before it is charged: no answer within this
   * long means its link went away (crash, out of range), not that it misbehaved.
   */
  readonly linkCheckTimeoutMs: number;
}

export const NET_LIMITS: NetLimits = Object.freeze({
  maxConnections: 64,
  maxPendingConnections: 16,
  inboundConnectionsPerSecond: 10,
  maxStreamsPerConnection: 32,
  maxStreamsPerProtocol: 2,
  maxSyncFrameBytes: SYNC_LIMITS.maxFrameBytes,
  maxGossipFrameBytes: GOSSIP_WIRE_LIMITS.maxMessageBytes,
  streamWindowBytes: 2 * 1024 * 1024,
  maxReadBufferBytes: 4 * 1024 * 1024,
  maxSendBufferBytes: 8 * 1024 * 1024,
  maxPendingIngestBytes: 16 * 1024 * 1024,
  misbehaviourBudget: 16,
  banMs: 10 * 60_000,
  frameTimeoutMs: 10_000,
  idleTimeoutMs: 15_000,
  dialTimeoutMs: 10_000,
  sessionTimeoutMs: 10 * 60_000,
  stopDeadlineMs: 2_000,
  linkCheckTimeoutMs: 5_000,
});

/**
 * Sync tuning over libp2p streams, where the simulator's defaults would be slow: a flight is built
 * whole before its first frame leaves, so a 32 MiB flight keeps the receiver idle while the sender
 * reads and frames it. 4 MiB flights start the receiver's verification after one such slice, at
 * the cost of one more round trip per 4 MiB.
 */
export const NET_SYNC_TUNING: Partial<SyncTuning> = Object.freeze({ flightBytes: 4 * 1024 * 1024 });

/** Smallest yamux stream window the specification allows. */
const YAMUX_MIN_WINDOW = 256 * 1024;

/** The defaults with `overrides` applied, checked: every value a positive number, and consistent. */
export function netLimitsOf(overrides: Partial<NetLimits> = {}): NetLimits {
  const limits: NetLimits = { ...NET_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value > 0)) throw new NetOptionsError(`net limit ${name} must be a positive number, got ${String(value)}`);
  }
  // Honest peers send frames up to the wire formats' own limits: a lower cap would drop them.
  if (limits.maxSyncFrameBytes !== SYNC_LIMITS.maxFrameBytes) throw new NetOptionsError(`maxSyncFrameBytes is fixed by the sync wire format (${SYNC_LIMITS.maxFrameBytes})`);
  if (limits.maxGossipFrameBytes !== GOSSIP_WIRE_LIMITS.maxMessageBytes) throw new NetOptionsError(`maxGossipFrameBytes is fixed by the gossip wire format (${GOSSIP_WIRE_LIMITS.maxMessageBytes})`);
  if (limits.streamWindowBytes < YAMUX_MIN_WINDOW) throw new NetOptionsError(`streamWindowBytes is at least ${YAMUX_MIN_WINDOW}`);
  if (limits.maxReadBufferBytes <= limits.streamWindowBytes) throw new NetOptionsError('maxReadBufferBytes must exceed streamWindowBytes, or a paused honest stream is reset');
  return Object.freeze(limits);
}
