import type { AuthorKey } from '../dag/index.ts';
import type { SyncFailure } from './errors.ts';
import type { SyncTuning } from './limits.ts';
import type { SyncPeerState } from './peer-state.ts';
import type { SyncReplica } from './replica.ts';

/** What an initiator reconciles: the named topics, or (courier) every topic either side carries. */
export type SyncMode =
  | { readonly kind: 'topics'; readonly topics: readonly Uint8Array[] }
  | {
      readonly kind: 'courier';
      /** Reconcile only topics above this tag (to resume a courier pass cut at `SyncStats.courierResume`). */
      readonly after?: Uint8Array;
    };

export interface SyncSessionOptions {
  readonly replica: SyncReplica;
  /** SHA3-256 (the provider's `sha3_256`): salts, fingerprints, digests and the author filter. */
  readonly hash: (data: Uint8Array) => Uint8Array;
  /** Fresh random bytes (the provider's `randomBytes`, or a seeded source in the simulator). */
  readonly random: (length: number) => Uint8Array;
  /**
   * What the previous session with this same peer left behind (see `SyncPeerState`); default none.
   * The session does not modify it; read `session.peerState` after a successful end.
   */
  readonly peerState?: SyncPeerState;
  readonly tuning?: Partial<SyncTuning>;
}

export interface SyncInitiatorOptions extends SyncSessionOptions {
  readonly mode: SyncMode;
}

/** The outcome of one `start`, `receive` or `abort` call. */
export interface SyncStep {
  /** Frames to send to the peer, in order (each at most `frameBytes`). */
  readonly send: Uint8Array[];
  /** True once the session has ended (completed, or failed: see `error`); nothing more will be sent. */
  readonly done: boolean;
  /**
   * Received vertex bytes for the host to validate and ingest, parents before children within
   * each topic. Keys needed to verify them are in `keys` of this step or an earlier one.
   */
  readonly vertices: Uint8Array[];
  /** Received author keys (unverified: the host's KeyRing checks that each hashes to its author). */
  readonly keys: AuthorKey[];
  /** Set when the session ended because of bad input, the peer, or `abort`. */
  readonly error?: SyncFailure;
}

/** Counters of one session, for logs, simulator statistics and benchmarks. */
export interface SyncStats {
  readonly framesSent: number;
  readonly framesReceived: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Flights this side sent (a flight is the frames one side sends before the other speaks). */
  readonly flightsSent: number;
  readonly flightsReceived: number;
  readonly verticesSent: number;
  readonly verticesReceived: number;
  /** Bytes of vertex encodings sent / received (the payload the overhead is measured against). */
  readonly vertexBytesSent: number;
  readonly vertexBytesReceived: number;
  readonly keysSent: number;
  /** Topics the session reconciled (courier: every topic either side named). */
  readonly topics: number;
  /** Courier mode: the session stopped at this topic tag (limits); resume with `after` set to it. */
  readonly courierResume: Uint8Array | undefined;
}
