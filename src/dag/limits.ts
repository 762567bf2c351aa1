/**
 * Hard limits of the vertex format (version 1). Decoders check these before allocating; every
 * number here is documented in docs/LIMITS.md and changing one is a protocol change.
 */
export const VERTEX_LIMITS = Object.freeze({
  /** Largest encoded vertex in bytes: the largest payload plus signature, parents and framing. */
  maxVertexBytes: 73_728,
  /** Largest payload: the 64 KiB padding bucket plus 1 KiB for the AEAD envelope (nonce, tag, header). */
  maxPayloadBytes: 66_560,
  /** Most parents a vertex may name; a frontier wider than this is merged in several steps. */
  maxParents: 64,
  /** Largest Lamport clock value (integers above this are not exact in JavaScript). */
  maxLamport: Number.MAX_SAFE_INTEGER,
  /** Byte sizes of fixed fields. */
  topicBytes: 16,
  authorBytes: 32,
  idBytes: 32,
});

/** The only vertex format version this code reads and writes. */
export const VERTEX_VERSION = 1;

/** FIPS 204 context string under which vertex signatures are made (domain separation). */
export const VERTEX_SIGNATURE_CONTEXT = new TextEncoder().encode('pars-mesh/vertex/v1');
