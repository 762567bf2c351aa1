import { AES_256_GCM, concatBytes, utf8, type CryptoProvider } from '../../crypto/index.ts';
import { LABEL_HANDSHAKE_KEYS, LABEL_TRAFFIC_KEYS, LABEL_TRANSCRIPT, LIBP2P_SIGNATURE_PREFIX } from './constants.ts';

/*
 * The key schedule. Every secret comes from both halves of the hybrid exchange at once,
 *
 *   ikm = X25519(e_i, e_r) ‖ ML-KEM-768 shared secret,
 *
 * salted with a hash of every byte exchanged so far. An adversary must break both X25519 and
 * ML-KEM-768 to learn a key, and any change to any message changes every key that follows it.
 */

/** SHA3-256 of the label and the handshake bytes so far. */
export function transcriptHash(provider: CryptoProvider, parts: readonly Uint8Array[]): Uint8Array {
  return provider.sha3_256(concatBytes(utf8(LABEL_TRANSCRIPT), ...parts));
}

export interface DirectionKeys {
  readonly initiator: Uint8Array;
  readonly responder: Uint8Array;
}

function split(provider: CryptoProvider, ikm: Uint8Array, transcript: Uint8Array, label: string): DirectionKeys {
  const okm = provider.hkdfSha3_256(ikm, transcript, utf8(label), 2 * AES_256_GCM.key);
  return { initiator: okm.slice(0, AES_256_GCM.key), responder: okm.slice(AES_256_GCM.key) };
}

/** Keys sealing each side's identity (message 2: responder's, message 3: initiator's). */
export function handshakeKeys(provider: CryptoProvider, ikm: Uint8Array, transcript: Uint8Array): DirectionKeys {
  return split(provider, ikm, transcript, LABEL_HANDSHAKE_KEYS);
}

/** Keys of the records each side sends once the handshake is done. */
export function trafficKeys(provider: CryptoProvider, ikm: Uint8Array, transcript: Uint8Array): DirectionKeys {
  return split(provider, ikm, transcript, LABEL_TRAFFIC_KEYS);
}

/**
 * What one side's two signatures cover: its role, the transcript up to its identity, and its own
 * claim (keys and muxers). The role keeps a responder's signature from passing as an initiator's.
 */
export function signedDigest(provider: CryptoProvider, role: string, transcript: Uint8Array, claimBytes: Uint8Array): Uint8Array {
  return provider.sha3_256(concatBytes(utf8(role), transcript, claimBytes));
}

/** The bytes the libp2p key signs: a prefix no other libp2p signature starts with, then the digest. */
export function libp2pSignedBytes(digest: Uint8Array): Uint8Array {
  return concatBytes(utf8(LIBP2P_SIGNATURE_PREFIX), digest);
}
