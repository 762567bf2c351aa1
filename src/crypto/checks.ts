import { assertBytes } from './bytes.ts';
import { CryptoInputError } from './errors.ts';
import { AES_256_GCM, HKDF_MAX_LENGTH, ML_DSA_65, X25519_SIZES, type AeadKey, type IncrementalHash, type SignatureVerifier, type X25519KeyPair } from './provider.ts';

// Argument checks shared by both providers, so they reject exactly the same inputs.

export function checkContext(context: Uint8Array | undefined): Uint8Array {
  if (context === undefined) return EMPTY;
  assertBytes(context, undefined, 'context');
  if (context.length > ML_DSA_65.maxContext) throw new CryptoInputError(`context must be at most ${ML_DSA_65.maxContext} bytes`);
  return context;
}

/**
 * The verifier both providers hand out: the same argument checks around each provider's own
 * primitive, so a wrong-size key throws and a wrong-size signature is `false` on both alike.
 */
export function checkedVerifier(
  publicKey: Uint8Array,
  prepare: (publicKey: Uint8Array) => (message: Uint8Array, signature: Uint8Array, context: Uint8Array) => boolean,
): SignatureVerifier {
  assertBytes(publicKey, ML_DSA_65.publicKey, 'ML-DSA-65 public key');
  const copy = Uint8Array.from(publicKey);
  const verifyRaw = prepare(copy);
  return {
    publicKey: copy,
    verify(message: Uint8Array, signature: Uint8Array, context?: Uint8Array): boolean {
      assertBytes(message, undefined, 'message');
      const ctx = checkContext(context);
      if (!(signature instanceof Uint8Array) || signature.length !== ML_DSA_65.signature) return false;
      return verifyRaw(message, signature, ctx);
    },
  };
}

export function checkAead(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array | undefined): Uint8Array {
  assertBytes(key, AES_256_GCM.key, 'AES-256-GCM key');
  return checkAeadInput(nonce, data, aad);
}

/** The checks of `checkAead` but the key's (a bound key was checked once, when it was set up). */
function checkAeadInput(nonce: Uint8Array, data: Uint8Array, aad: Uint8Array | undefined): Uint8Array {
  assertBytes(nonce, AES_256_GCM.nonce, 'AES-256-GCM nonce');
  assertBytes(data, undefined, 'AES-256-GCM data');
  if (aad === undefined) return EMPTY;
  assertBytes(aad, undefined, 'AES-256-GCM aad');
  return aad;
}

export function checkHkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): void {
  assertBytes(ikm, undefined, 'HKDF ikm');
  assertBytes(salt, undefined, 'HKDF salt');
  assertBytes(info, undefined, 'HKDF info');
  if (!Number.isInteger(length) || length < 1 || length > HKDF_MAX_LENGTH) {
    throw new CryptoInputError(`HKDF length must be an integer in 1..${HKDF_MAX_LENGTH}`);
  }
}

export function checkRandomLength(length: number): void {
  if (!Number.isInteger(length) || length < 0 || length > 65536) {
    throw new CryptoInputError('random length must be an integer in 0..65536');
  }
}

const EMPTY = new Uint8Array(0);

/** Wraps a library hash with the provider's argument checks and one-digest rule. */
export function guardedHash(update: (data: Uint8Array) => void, digest: () => Uint8Array): IncrementalHash {
  let done = false;
  return {
    update(data: Uint8Array): void {
      assertBytes(data, undefined, 'data');
      if (done) throw new CryptoInputError('hash already digested');
      update(data);
    },
    digest(): Uint8Array {
      if (done) throw new CryptoInputError('hash already digested');
      done = true;
      return digest();
    },
  };
}

/**
 * The X25519 key pair both providers hand out: the same size checks, and the same refusal of an
 * all-zero shared secret, whatever the underlying primitive does with a low-order point.
 */
export function checkedX25519(secretKey: Uint8Array, derive: (secretKey: Uint8Array) => { publicKey: Uint8Array; agree: (peer: Uint8Array) => Uint8Array }): X25519KeyPair {
  assertBytes(secretKey, X25519_SIZES.secretKey, 'X25519 secret key');
  const inner = derive(Uint8Array.from(secretKey));
  return Object.freeze({
    publicKey: inner.publicKey,
    agree(peerPublicKey: Uint8Array): Uint8Array {
      assertBytes(peerPublicKey, X25519_SIZES.publicKey, 'X25519 public key');
      let shared: Uint8Array | undefined;
      try {
        shared = inner.agree(peerPublicKey);
      } catch {
        shared = undefined;
      }
      if (shared === undefined || shared.every((b) => b === 0)) throw new CryptoInputError('X25519 public key gives no shared secret (low-order point)');
      return shared;
    },
  });
}

/** Checks a nonce and the pieces of a message; returns the nonce. */
function checkParts(nonce: Uint8Array, parts: readonly Uint8Array[]): Uint8Array {
  assertBytes(nonce, AES_256_GCM.nonce, 'AES-256-GCM nonce');
  if (!Array.isArray(parts)) throw new CryptoInputError('AES-256-GCM parts must be an array of byte arrays');
  for (const part of parts) assertBytes(part, undefined, 'AES-256-GCM part');
  return nonce;
}

/** A provider's AES-256-GCM under one prepared key, given inputs `checkedAeadKey` has checked. */
export interface PreparedAead {
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined;
  sealParts(nonce: Uint8Array, parts: readonly Uint8Array[]): Uint8Array[];
  openParts(nonce: Uint8Array, parts: readonly Uint8Array[]): Uint8Array[] | undefined;
}

/**
 * The bound AES-256-GCM key both providers hand out: the key checked and copied once, when it is
 * set up, and every message's nonce, data and AAD checked alike around each provider's own cipher.
 */
export function checkedAeadKey(key: Uint8Array, prepare: (key: Uint8Array) => PreparedAead): AeadKey {
  assertBytes(key, AES_256_GCM.key, 'AES-256-GCM key');
  const inner = prepare(Uint8Array.from(key));
  return Object.freeze({
    seal: (nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array => inner.seal(nonce, plaintext, checkAeadInput(nonce, plaintext, aad)),
    open: (nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array | undefined => inner.open(nonce, sealed, checkAeadInput(nonce, sealed, aad)),
    sealParts: (nonce: Uint8Array, parts: readonly Uint8Array[]): Uint8Array[] => inner.sealParts(checkParts(nonce, parts), parts),
    openParts: (nonce: Uint8Array, parts: readonly Uint8Array[]): Uint8Array[] | undefined => inner.openParts(checkParts(nonce, parts), parts),
  });
}
