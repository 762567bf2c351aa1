import {
  assertBytes,
  defaultProvider,
  ML_DSA_65,
  toHex,
  type CryptoProvider,
  type KemKeyPair,
  type SigningKeyPair,
} from '../crypto/index.ts';
import { deriveSubSeeds, MASTER_SEED_LENGTH } from './derive.ts';

/** Length of a node id in bytes (SHA3-256 of the ML-DSA-65 public key). */
export const NODE_ID_LENGTH = 32;

/** The node id of an ML-DSA-65 public key: SHA3-256(publicKey). */
export function nodeIdOf(signingPublicKey: Uint8Array, provider: CryptoProvider = defaultProvider()): Uint8Array {
  assertBytes(signingPublicKey, ML_DSA_65.publicKey, 'ML-DSA-65 public key');
  return provider.sha3_256(signingPublicKey);
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A node's identity: the 32-byte master seed and the key pairs derived from it (see derive.ts).
 *
 * The seed is held in a private field. It leaves the object only through `exportSeed()`, which
 * exists for the keystore; `toJSON()`, `toString()` and `util.inspect` show the node id alone, so
 * logging an identity by accident never prints a secret.
 *
 * Public keys and the node id are returned as fresh copies, so a caller mutating one cannot change
 * the identity.
 */
export class Identity {
  readonly #seed: Uint8Array;
  readonly #signer: SigningKeyPair;
  readonly #kem: KemKeyPair;
  readonly #nodeId: Uint8Array;
  /** Lower-case hex of the node id. */
  readonly nodeIdHex: string;
  /** The crypto provider the key pairs live in. */
  readonly provider: CryptoProvider;

  private constructor(seed: Uint8Array, provider: CryptoProvider) {
    const { signingSeed, kemSeed } = deriveSubSeeds(seed, provider);
    this.#seed = seed;
    this.#signer = provider.mlDsa65.keyPair(signingSeed);
    this.#kem = provider.mlKem768.keyPair(kemSeed);
    signingSeed.fill(0);
    kemSeed.fill(0);
    this.#nodeId = nodeIdOf(this.#signer.publicKey, provider);
    this.nodeIdHex = toHex(this.#nodeId);
    this.provider = provider;
  }

  /** Rebuilds an identity from its 32-byte master seed (the seed is copied). */
  static fromSeed(seed: Uint8Array, provider: CryptoProvider = defaultProvider()): Identity {
    assertBytes(seed, MASTER_SEED_LENGTH, 'identity master seed');
    return new Identity(Uint8Array.from(seed), provider);
  }

  /** A new identity from 32 bytes of operating-system randomness. */
  static generate(provider: CryptoProvider = defaultProvider()): Identity {
    return new Identity(provider.randomBytes(MASTER_SEED_LENGTH), provider);
  }

  /** The 32-byte node id, SHA3-256 of the ML-DSA-65 public key. */
  get nodeId(): Uint8Array {
    return Uint8Array.from(this.#nodeId);
  }

  /** The 1952-byte ML-DSA-65 public key. */
  get signingPublicKey(): Uint8Array {
    return Uint8Array.from(this.#signer.publicKey);
  }

  /** The 1184-byte ML-KEM-768 public (encapsulation) key. */
  get kemPublicKey(): Uint8Array {
    return Uint8Array.from(this.#kem.publicKey);
  }

  /** ML-DSA-65 signature of `message` under the FIPS 204 context string `context` (default empty). */
  sign(message: Uint8Array, context?: Uint8Array): Uint8Array {
    return this.#signer.sign(message, context);
  }

  /** The ML-KEM-768 shared secret of a ciphertext encapsulated to `kemPublicKey`. */
  decapsulate(cipherText: Uint8Array): Uint8Array {
    return this.#kem.decapsulate(cipherText);
  }

  /**
   * A key derived from the master seed, HKDF-SHA3-256(ikm = seed, salt, info, length), for the
   * node's other secrets (storage key, transport key), so the seed itself never leaves this
   * object. Each use must have its own `salt`/`info` label.
   */
  deriveKey(salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    return this.provider.hkdfSha3_256(this.#seed, salt, info, length);
  }

  /**
   * A copy of the 32-byte master seed — the whole identity in one secret. Only the keystore (and
   * an explicit backup command) should call this; never log or transmit the result.
   */
  exportSeed(): Uint8Array {
    return Uint8Array.from(this.#seed);
  }

  /** Only the node id: serialising an identity must never reveal its seed. */
  toJSON(): { nodeId: string } {
    return { nodeId: this.nodeIdHex };
  }

  toString(): string {
    return `Identity(${this.nodeIdHex})`;
  }

  [INSPECT](): string {
    return `Identity { nodeId: '${this.nodeIdHex}' }`;
  }
}
