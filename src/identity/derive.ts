import { assertBytes, ML_DSA_65, ML_KEM_768, utf8, type CryptoProvider } from '../crypto/index.ts';

/**
 * Key derivation for an identity.
 *
 * An identity is one 32-byte master seed. Every key pair the node owns is derived from it with
 * HKDF-SHA3-256 (RFC 5869) under a fixed salt and a distinct `info` label per algorithm:
 *
 *   salt = UTF-8 "pars-mesh/identity/v1"
 *   ML-DSA-65 seed (32 bytes)  = HKDF(master, salt, info = "ml-dsa-65",  32)
 *   ML-KEM-768 seed (64 bytes) = HKDF(master, salt, info = "ml-kem-768", 64)
 *
 * Why: there is exactly one secret to back up and to seal in the keystore, yet the signing and
 * key-encapsulation keys are cryptographically independent — knowing or leaking one sub-seed says
 * nothing about the other or about the master, and no algorithm ever sees bytes another one used.
 * The "v1" salt pins this scheme; a future change of derivation gets a new salt, never a silent
 * change of everyone's node id. Adding a key for a new purpose means adding a new `info` label.
 */

/** Length of an identity's master seed in bytes. */
export const MASTER_SEED_LENGTH = 32;
/** The HKDF salt of identity derivation, version 1. */
export const IDENTITY_SALT = 'pars-mesh/identity/v1';
/** The HKDF `info` labels, one per derived key. */
export const IDENTITY_INFO = Object.freeze({ mlDsa65: 'ml-dsa-65', mlKem768: 'ml-kem-768' });

/** The per-algorithm seeds derived from a master seed. Both are secret. */
export interface SubSeeds {
  /** 32-byte ML-DSA-65 key-generation seed ξ. */
  readonly signingSeed: Uint8Array;
  /** 64-byte ML-KEM-768 key-generation seed d ‖ z. */
  readonly kemSeed: Uint8Array;
}

/** Derives the ML-DSA-65 and ML-KEM-768 seeds from a 32-byte master seed (see the comment above). */
export function deriveSubSeeds(masterSeed: Uint8Array, provider: CryptoProvider): SubSeeds {
  assertBytes(masterSeed, MASTER_SEED_LENGTH, 'identity master seed');
  const salt = utf8(IDENTITY_SALT);
  return {
    signingSeed: provider.hkdfSha3_256(masterSeed, salt, utf8(IDENTITY_INFO.mlDsa65), ML_DSA_65.seed),
    kemSeed: provider.hkdfSha3_256(masterSeed, salt, utf8(IDENTITY_INFO.mlKem768), ML_KEM_768.seed),
  };
}
