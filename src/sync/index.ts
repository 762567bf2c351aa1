// Reconciliation protocol (sans-I/O): sessions, the replica they read, wire format, limits.
export { SyncSession } from './session.ts';
export type { SyncMode, SyncSessionOptions, SyncInitiatorOptions, SyncStep, SyncStats } from './session-options.ts';
export type { SyncReplica, SyncItem, SyncVertexMeta, OrderedVertices } from './replica.ts';
export { DagReplica, type DagReplicaOptions } from './dag-replica.ts';
export { SyncPeerState, PEER_STATE_VERSION, PEER_STATE_LIMITS } from './peer-state.ts';
export { SYNC_LIMITS, SYNC_VERSION, SYNC_VERSIONS, DEFAULT_SYNC_TUNING, SYNC_SIZES, type SyncTuning } from './limits.ts';
export { REFUSED_FRAME_CODES, SyncError, SyncOptionsError, type SyncFailure, type SyncFailureCode } from './errors.ts';
export { encodeFrame, encodeErrorFrame } from './wire-encode.ts';
export { decodeFrame, type DecodedFrame } from './wire-decode.ts';
export type { Frame, ErrorFrame, SyncRecord, WireRange, Bound, SummaryEntry, FrameFlags } from './wire.ts';
// Push gossip and pull anti-entropy (gossip*.ts, anti-entropy*.ts)
export * from './gossip-wire.ts';
export * from './gossip.ts';
export * from './anti-entropy.ts';
