import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import type { Ed25519PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { utf8 } from '../crypto/index.ts';
import type { Identity } from '../identity/index.ts';

/**
 * The libp2p key of a node, derived from its identity's master seed so that its peer id stays the
 * same across restarts (peers and address books recognise it) while staying independent of every
 * other key the seed yields:
 *
 *   Ed25519 seed = HKDF-SHA3-256(ikm = master seed, salt = "pars-mesh/net/v1", info = "libp2p-ed25519", L = 32)
 *
 * A salt of its own keeps this derivation apart from the identity's keys ("pars-mesh/identity/v1")
 * and the storage key; the Ed25519 key only authenticates the transport (in the post-quantum handshake,
 * it binds the peer id to the ML-DSA identity) and never signs anything of the mesh, so leaking it
 * reveals nothing about the ML-DSA identity.
 */
export const PEER_KEY_SALT = 'pars-mesh/net/v1';
export const PEER_KEY_INFO = 'libp2p-ed25519';

/** Derives the node's libp2p Ed25519 key from its identity's master seed (see above). */
export async function derivePeerKey(identity: Pick<Identity, 'deriveKey'>): Promise<Ed25519PrivateKey> {
  const seed = identity.deriveKey(utf8(PEER_KEY_SALT), utf8(PEER_KEY_INFO), 32);
  try {
    return await generateKeyPairFromSeed('Ed25519', seed);
  } finally {
    seed.fill(0);
  }
}

/** The peer id string of a derived key (what other nodes see and dial). */
export function peerIdOfKey(key: Ed25519PrivateKey): string {
  return peerIdFromPrivateKey(key).toString();
}
