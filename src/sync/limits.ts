/**
 * Limits of the reconciliation protocol (wire version 1). A received frame or flight that breaks
 * one is refused with a typed failure before anything is allocated for it; every number here is
 * documented in docs/LIMITS.md ("Reconciliation") and changing one is a protocol change.
 */
export const SYNC_LIMITS = Object.freeze({
  /** Largest frame (one message on the link). A vertex batch bigger than this spans frames. */
  maxFrameBytes: 1_048_576,
  /** Largest flight (the frames one side sends before the other speaks): 64 MiB. */
  maxFlightBytes: 67_108_864,
  /** Most frames in one flight. */
  maxFramesPerFlight: 4_096,
  /** Most ranges one flight may carry, over all topics. */
  maxRangesPerFlight: 32_768,
  /** Most ids in the id lists of one flight, over all topics (32 B each: 1 MiB). */
  maxIdsPerFlight: 32_768,
  /** Most ids one flight may ask for (want lists), over all topics. */
  maxWantsPerFlight: 32_768,
  /** Most frontier ids sent for one topic; a wider frontier is sent as "too wide". */
  maxFrontierIds: 1_024,
  /** Most topics one session reconciles (courier summaries included). */
  maxTopics: 4_096,
  /** Most author ids in one key request, and most keys in one flight. */
  maxKeysPerFlight: 1_024,
  /** Largest author public key accepted in a KEYS record. */
  maxKeyBytes: 4_096,
  /** Longest key algorithm label. */
  maxAlgorithmBytes: 32,
  /** Largest author filter (a salted Bloom filter over the author ids whose keys a side holds). */
  maxAuthorFilterBytes: 131_072,
  /** An author filter with more than this share of its bits set is refused as saturated. */
  maxAuthorFilterFill: 0.75,
  /** Largest vertex inside a VERTICES record (the vertex format's own limit). */
  maxVertexBytes: 73_728,
  /** Bytes of received vertices a session holds back while it waits for their authors' keys. */
  maxHeldBytes: 16_777_216,
  /** Longest detail text of an ERROR frame. */
  maxErrorDetailBytes: 255,
});

/** Wire versions this code speaks, newest first. */
export const SYNC_VERSIONS: readonly number[] = Object.freeze([1]);

/** The wire version this code writes. */
export const SYNC_VERSION = 1;

/** Tunable behaviour of a session; the defaults are what the benchmarks measure. */
export interface SyncTuning {
  /** A range with at most this many of the sender's items is sent as an id list, not split. */
  readonly idListThreshold: number;
  /** Sub-ranges a differing range is split into (by item count). */
  readonly branching: number;
  /** Most bytes this side puts in one flight (at most SYNC_LIMITS.maxFlightBytes); the rest waits. */
  readonly flightBytes: number;
  /** Most bytes in one frame this side sends (at most SYNC_LIMITS.maxFrameBytes). */
  readonly frameBytes: number;
  /** False-positive rate of the author filter this side sends. */
  readonly authorFilterFpRate: number;
}

export const DEFAULT_SYNC_TUNING: SyncTuning = Object.freeze({
  idListThreshold: 32,
  branching: 16,
  flightBytes: 33_554_432,
  frameBytes: SYNC_LIMITS.maxFrameBytes,
  authorFilterFpRate: 1e-5,
});

/** Fixed sizes of the wire format. */
export const SYNC_SIZES = Object.freeze({
  nonce: 16,
  topic: 16,
  id: 32,
  author: 32,
  fingerprint: 16,
  digest: 8,
});
