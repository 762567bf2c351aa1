import { ML_DSA_65 } from '../crypto/index.ts';
import { VERTEX_LIMITS } from '../dag/index.ts';

/**
 * Every limit of bundle format v1 (docs/BUNDLE.md, docs/LIMITS.md). Readers check each one on a
 * frame's or chunk's header, before allocating its body.
 */
export const BUNDLE_LIMITS = Object.freeze({
  /** Plaintext bytes per chunk; every chunk is exactly this size, so sizes reveal only the chunk count. */
  chunkBytes: 65_536,
  /** Key-wrap slots in the preamble; unused ones are random, so the count of recipients is hidden. */
  stanzas: 16,
  /** Most chunks in one bundle (2^24 × 64 KiB = 1 TiB). */
  maxChunks: 2 ** 24,
  /** Largest snapshot frame body. */
  maxSnapshotBytes: 16 * 2 ** 20,
  /** Most ids in one frontier marker. */
  maxMarkerIds: 65_536,
  /** Most distinct topics one bundle may carry (markers and snapshots are kept per topic while importing). */
  maxTopics: 65_536,
  /** Largest vertex frame body: the vertex limit of the protocol. */
  maxVertexBytes: VERTEX_LIMITS.maxVertexBytes,
  /** scrypt cost of passphrase slots: log2 N within these bounds (r = 8, p = 1). */
  minKdfLogN: 10,
  maxKdfLogN: 20,
  /** Default passphrase cost for new bundles: N = 2^17 (128 MiB of memory per attempt). */
  defaultKdfLogN: 17,
  /** Length of the device signature frame body. */
  signatureBytes: ML_DSA_65.signature,
});

/** Bundle format version written in the preamble. */
export const BUNDLE_VERSION = 1;
