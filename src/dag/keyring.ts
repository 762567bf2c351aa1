import { equalBytes, ML_DSA_65, type CryptoProvider, type SignatureVerifier } from '../crypto/index.ts';
import { idKey } from './vertex.ts';
import { reject, type Rejection } from './rejection.ts';

/** Signature algorithm of vertex format version 1. */
export const VERTEX_KEY_ALGORITHM = 'ml-dsa-65';

/** A public key as stored or received; `author` ids are SHA3-256 of `publicKey`. */
export interface AuthorKey {
  readonly algorithm: string;
  readonly publicKey: Uint8Array;
}

/** Where keys come from (the store, a test map); lookups are by 32-byte author id. */
export interface KeySource {
  getKey(author: Uint8Array): AuthorKey | undefined;
}

export type VerifierLookup = { readonly ok: true; readonly verifier: SignatureVerifier } | Rejection;

/**
 * Public keys of authors, self-certifying: an author id is the hash of its key, so a key from
 * anyone can be checked and no key server is trusted. Parsed verifiers are cached, so each key is
 * hashed and imported once, not per vertex.
 */
export class KeyRing implements KeySource {
  readonly #provider: CryptoProvider;
  readonly #keys = new Map<string, AuthorKey>();
  readonly #verifiers = new Map<string, SignatureVerifier>();
  readonly #fallback: KeySource | undefined;

  constructor(provider: CryptoProvider, fallback?: KeySource) {
    this.#provider = provider;
    this.#fallback = fallback;
  }

  /** Adds a key and returns its author id, or a rejection if it is not a well-formed ML-DSA-65 key. */
  add(key: AuthorKey): { readonly ok: true; readonly author: Uint8Array } | Rejection {
    const problem = this.#problem(key);
    if (problem !== undefined) return reject('author-key-invalid', problem);
    const author = this.#provider.sha3_256(key.publicKey);
    this.#keys.set(idKey(author), { algorithm: key.algorithm, publicKey: Uint8Array.from(key.publicKey) });
    return { ok: true, author };
  }

  getKey(author: Uint8Array): AuthorKey | undefined {
    return this.#keys.get(idKey(author)) ?? this.#fallback?.getKey(author);
  }

  has(author: Uint8Array): boolean {
    return this.getKey(author) !== undefined;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** Every key held in memory (not those only in the fallback source). */
  keys(): AuthorKey[] {
    return [...this.#keys.values()];
  }

  /**
   * The verifier for `author`: unknown author, wrong algorithm, wrong size, or a key that does not
   * hash to the author id (a corrupted or poisoned source) are each a rejection.
   */
  verifierFor(author: Uint8Array): VerifierLookup {
    const k = idKey(author);
    const cached = this.#verifiers.get(k);
    if (cached !== undefined) return { ok: true, verifier: cached };
    const key = this.getKey(author);
    if (key === undefined) return reject('author-unknown', `no public key for author ${k}`);
    const problem = this.#problem(key);
    if (problem !== undefined) return reject('author-key-invalid', problem);
    if (!equalBytes(this.#provider.sha3_256(key.publicKey), author)) {
      return reject('author-key-invalid', `key does not hash to author ${k}`);
    }
    const verifier = this.#provider.mlDsa65.verifier(key.publicKey);
    this.#verifiers.set(k, verifier);
    return { ok: true, verifier };
  }

  #problem(key: AuthorKey): string | undefined {
    if (key.algorithm !== VERTEX_KEY_ALGORITHM) return `key algorithm ${key.algorithm}, vertices need ${VERTEX_KEY_ALGORITHM}`;
    if (!(key.publicKey instanceof Uint8Array) || key.publicKey.length !== ML_DSA_65.publicKey) {
      return `ML-DSA-65 public keys are ${ML_DSA_65.publicKey} bytes`;
    }
    return undefined;
  }
}
