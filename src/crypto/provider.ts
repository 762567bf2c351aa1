/**
 * The one interface every layer uses for cryptography. Two implementations exist (native
 * `node:crypto` and `@noble/*`); for the same inputs they give the same keys and bytes, so a
 * signature or ciphertext made by one is accepted by the other.
 *
 * Secret keys never leave their key-pair objects: a key pair is built from its seed, which is the
 * only secret form we persist (FIPS 203/204 seed form), so both providers share one secret format.
 */

/** ML-DSA-65 (FIPS 204) sizes in bytes. */
export const ML_DSA_65 = Object.freeze({ seed: 32, publicKey: 1952, signature: 3309, maxContext: 255 });
/** ML-KEM-768 (FIPS 203) sizes in bytes; the seed is d ‖ z. */
export const ML_KEM_768 = Object.freeze({ seed: 64, publicKey: 1184, cipherText: 1088, sharedSecret: 32 });
/** AES-256-GCM sizes in bytes. */
export const AES_256_GCM = Object.freeze({ key: 32, nonce: 12, tag: 16 });
/** X25519 (RFC 7748) sizes in bytes. */
export const X25519_SIZES = Object.freeze({ secretKey: 32, publicKey: 32, sharedSecret: 32 });
/** Largest HKDF output (255 blocks of SHA3-256). */
export const HKDF_MAX_LENGTH = 255 * 32;

/** An ML-DSA-65 key pair; the secret stays inside. */
export interface SigningKeyPair {
  readonly publicKey: Uint8Array;
  /** Signs `message` (pure ML-DSA, hedged) with the FIPS 204 context string `context` (default empty). */
  sign(message: Uint8Array, context?: Uint8Array): Uint8Array;
}

/** A parsed ML-DSA-65 public key, cheap to verify with repeatedly. */
export interface SignatureVerifier {
  readonly publicKey: Uint8Array;
  /** False for any signature that does not verify, including one of the wrong length. */
  verify(message: Uint8Array, signature: Uint8Array, context?: Uint8Array): boolean;
}

/** An ML-KEM-768 key pair; the decapsulation key stays inside. */
export interface KemKeyPair {
  readonly publicKey: Uint8Array;
  /** Recovers the 32-byte shared secret (implicit rejection: a bad ciphertext yields an unrelated secret). */
  decapsulate(cipherText: Uint8Array): Uint8Array;
}

export interface Encapsulation {
  readonly cipherText: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

export interface MlDsa65 {
  /** Deterministic key generation from a 32-byte seed (FIPS 204 ML-DSA.KeyGen_internal(ξ)). */
  keyPair(seed: Uint8Array): SigningKeyPair;
  /** Parses a 1952-byte public key; throws CryptoInputError on a wrong size. */
  verifier(publicKey: Uint8Array): SignatureVerifier;
  /** One-shot verify; prefer `verifier()` when the same key checks many signatures. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, context?: Uint8Array): boolean;
}

export interface MlKem768 {
  /** Deterministic key generation from a 64-byte seed d ‖ z (FIPS 203 ML-KEM.KeyGen_internal). */
  keyPair(seed: Uint8Array): KemKeyPair;
  /**
   * Fresh encapsulation to a 1184-byte public key. Throws CryptoInputError on a wrong size or on a
   * key that fails the FIPS 203 section 7.2 modulus check (the same error on both providers).
   */
  encapsulate(publicKey: Uint8Array): Encapsulation;
}

/** An X25519 key pair; the secret stays inside. */
export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  /**
   * The 32-byte shared secret with `peerPublicKey`. Throws CryptoInputError on a key of the wrong
   * size and on an all-zero result (a low-order peer key contributes nothing secret; RFC 7748 §6.1).
   */
  agree(peerPublicKey: Uint8Array): Uint8Array;
}

export interface X25519 {
  /** The key pair of a 32-byte secret (clamped as RFC 7748 says; any 32 bytes are a valid secret). */
  keyPair(secretKey: Uint8Array): X25519KeyPair;
}

/** An AES-256-GCM key set up once for many messages (a connection's records). */
export interface AeadKey {
  /** Returns ciphertext ‖ 16-byte tag. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  /** Returns the plaintext, or `undefined` when the tag does not verify. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array | undefined;
  /**
   * `seal` of the concatenation of `parts` (no AAD), returned in pieces whose concatenation is
   * ciphertext ‖ tag: a large record that sits in several buffers is never joined into one.
   */
  sealParts(nonce: Uint8Array, parts: readonly Uint8Array[]): Uint8Array[];
  /**
   * `open` of sealed bytes that sit in several buffers (no AAD): the plaintext in pieces, or
   * `undefined` when the tag does not verify (no plaintext is released before the tag checks).
   */
  openParts(nonce: Uint8Array, parts: readonly Uint8Array[]): Uint8Array[] | undefined;
}

export interface Aes256Gcm {
  /** Returns ciphertext ‖ 16-byte tag. */
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  /** Returns the plaintext, or `undefined` when the tag does not verify (tampered, wrong key, wrong AAD). */
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array | undefined;
  /**
   * The key (copied) set up once, for many messages: the same bytes as `seal`/`open`, without
   * preparing the key again for each message.
   */
  key(key: Uint8Array): AeadKey;
}

export type ProviderName = 'native' | 'noble';

/** A hash fed in pieces; `digest` may be called once, after which `update` throws. */
export interface IncrementalHash {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

export interface CryptoProvider {
  /**
   * `insecure-simulation` marks the simulator's stand-in signature scheme (src/sim); it can never
   * be selected by name or `PARS_CRYPTO`, and the node refuses to run on it.
   */
  readonly name: ProviderName | 'insecure-simulation';
  readonly mlDsa65: MlDsa65;
  readonly mlKem768: MlKem768;
  readonly aes256Gcm: Aes256Gcm;
  /** Ephemeral Diffie-Hellman for the classical half of the hybrid connection handshake. */
  readonly x25519: X25519;
  sha3_256(data: Uint8Array): Uint8Array;
  /**
   * An incremental SHA-256 (FIPS 180-4), for bulk data hashed before a signature (bundles): the
   * same security level as SHA3-256, and faster on CPUs with SHA extensions.
   */
  sha256Stream(): IncrementalHash;
  /** HKDF (RFC 5869) instantiated with SHA3-256 as the hash. */
  hkdfSha3_256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** Cryptographically secure random bytes from the operating system. */
  randomBytes(length: number): Uint8Array;
}
