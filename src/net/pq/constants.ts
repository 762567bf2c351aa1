import { AES_256_GCM, ML_DSA_65, ML_KEM_768, X25519_SIZES } from '../../crypto/index.ts';

/** The multistream protocol id of the post-quantum connection encrypter (see docs/PROTOCOL.md). */
export const PQ_PROTOCOL = '/pars/pq/1.0.0';

/** The version byte that opens message 1. */
export const PQ_VERSION = 1;

/** Ed25519 libp2p public key as protobuf: 4 bytes of header and the 32-byte key. */
export const LIBP2P_ED25519_KEY_BYTES = 36;
export const LIBP2P_ED25519_SIGNATURE_BYTES = 64;

/** Muxers offered in an identity for early negotiation, and the length of each name. */
export const MAX_MUXERS = 8;
export const MAX_MUXER_NAME_BYTES = 64;

/** AES-256-GCM tag on every sealed identity and record. */
export const TAG_BYTES = AES_256_GCM.tag;

export const MESSAGE1_BYTES = 1 + X25519_SIZES.publicKey + ML_KEM_768.publicKey;

/** The largest identity block: keys, muxer names and both signatures. */
export const MAX_IDENTITY_BYTES =
  ML_DSA_65.publicKey + 1 + LIBP2P_ED25519_KEY_BYTES + 1 + MAX_MUXERS * (1 + MAX_MUXER_NAME_BYTES) + ML_DSA_65.signature + LIBP2P_ED25519_SIGNATURE_BYTES;

export const MESSAGE2_FIXED_BYTES = X25519_SIZES.publicKey + ML_KEM_768.cipherText;

/** No handshake message is longer (message 2, with the longest identity). */
export const MAX_HANDSHAKE_MESSAGE_BYTES = MESSAGE2_FIXED_BYTES + MAX_IDENTITY_BYTES + TAG_BYTES;

/**
 * Plaintext bytes per record. Large records keep the per-record cost (a cipher set-up, a tag, a
 * length) small against bulk sync traffic; the receiver buffers at most one record per connection.
 */
export const MAX_RECORD_PLAINTEXT_BYTES = 256 * 1024;

/** Records per direction and connection; the connection ends before a nonce could repeat. */
export const MAX_RECORDS_PER_KEY = 2 ** 48;

// Domain separation of every hash, key derivation and signature of the handshake.
export const LABEL_TRANSCRIPT = 'pars-mesh/pq/v1 transcript';
export const LABEL_HANDSHAKE_KEYS = 'pars-mesh/pq/v1 handshake keys';
export const LABEL_TRAFFIC_KEYS = 'pars-mesh/pq/v1 traffic keys';
export const LABEL_RESPONDER = 'pars-mesh/pq/v1 responder';
export const LABEL_INITIATOR = 'pars-mesh/pq/v1 initiator';
/** FIPS 204 context string of the ML-DSA signature over the transcript. */
export const SIGNATURE_CONTEXT = 'pars-mesh/pq/v1';
/** Prefix of the bytes the libp2p (Ed25519) key signs, so they mean nothing elsewhere in libp2p. */
export const LIBP2P_SIGNATURE_PREFIX = 'pars-mesh/pq/v1 libp2p-binding:';
