import { noise } from '@chainsafe/libp2p-noise';
import type { Libp2pInit } from 'libp2p';

/** A libp2p connection encrypter as the host takes it (`connectionEncrypters` option). */
export type ConnectionEncrypterFactory = NonNullable<Libp2pInit['connectionEncrypters']>[number];

/**
 * The connection security every host uses unless told otherwise: the one place that chooses it.
 * Noise (X25519, authenticated by the Ed25519 peer key) for now; it is not post-quantum, and the
 * hybrid X25519 + ML-KEM-768 encrypter authenticated by the ML-DSA identity replaces it here.
 */
export function defaultConnectionEncrypters(): ConnectionEncrypterFactory[] {
  return [noise()];
}
