import { gcm } from '@noble/ciphers/aes.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { assertBytes, concatBytes } from './bytes.ts';
import { checkAead, checkContext, checkedAeadKey, checkedVerifier, checkedX25519, checkHkdf, checkRandomLength, guardedHash } from './checks.ts';
import { CryptoInputError } from './errors.ts';
import {
  AES_256_GCM,
  ML_DSA_65,
  type AeadKey,
  ML_KEM_768,
  type CryptoProvider,
  type Encapsulation,
  type IncrementalHash,
  type KemKeyPair,
  type SignatureVerifier,
  type SigningKeyPair,
} from './provider.ts';

function nobleVerifier(publicKey: Uint8Array): SignatureVerifier {
  return checkedVerifier(publicKey, (pk) => (message, signature, context) => {
    try {
      return ml_dsa65.verify(signature, message, pk, { context });
    } catch {
      return false;
    }
  });
}

const NO_AAD = new Uint8Array(0);

function gcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  return gcm(key, nonce, ad).encrypt(plaintext);
}

function gcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array | undefined {
  if (sealed.length < AES_256_GCM.tag) return undefined;
  try {
    return gcm(key, nonce, ad).decrypt(sealed);
  } catch {
    return undefined;
  }
}

/** The portable provider: pure TypeScript from the audited `@noble/*` libraries (also the browser path). */
export const nobleProvider: CryptoProvider = Object.freeze({
  name: 'noble' as const,
  mlDsa65: Object.freeze({
    keyPair(seed: Uint8Array): SigningKeyPair {
      assertBytes(seed, ML_DSA_65.seed, 'ML-DSA-65 seed');
      const { publicKey, secretKey } = ml_dsa65.keygen(seed);
      return Object.freeze({
        publicKey,
        sign(message: Uint8Array, context?: Uint8Array): Uint8Array {
          assertBytes(message, undefined, 'message');
          return ml_dsa65.sign(message, secretKey, { context: checkContext(context) });
        },
      });
    },
    verifier: nobleVerifier,
    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, context?: Uint8Array): boolean {
      return nobleVerifier(publicKey).verify(message, signature, context);
    },
  }),
  mlKem768: Object.freeze({
    keyPair(seed: Uint8Array): KemKeyPair {
      assertBytes(seed, ML_KEM_768.seed, 'ML-KEM-768 seed');
      const { publicKey, secretKey } = ml_kem768.keygen(seed);
      return Object.freeze({
        publicKey,
        decapsulate(cipherText: Uint8Array): Uint8Array {
          assertBytes(cipherText, ML_KEM_768.cipherText, 'ML-KEM-768 ciphertext');
          return ml_kem768.decapsulate(cipherText, secretKey);
        },
      });
    },
    encapsulate(publicKey: Uint8Array): Encapsulation {
      assertBytes(publicKey, ML_KEM_768.publicKey, 'ML-KEM-768 public key');
      let encapsulation: Encapsulation;
      try {
        encapsulation = ml_kem768.encapsulate(publicKey);
      } catch {
        throw new CryptoInputError('ML-KEM-768 public key fails the FIPS 203 modulus check');
      }
      return { cipherText: encapsulation.cipherText, sharedSecret: encapsulation.sharedSecret };
    },
  }),
  aes256Gcm: Object.freeze({
    seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
      return gcmSeal(key, nonce, plaintext, checkAead(key, nonce, plaintext, aad));
    },
    open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array | undefined {
      return gcmOpen(key, nonce, sealed, checkAead(key, nonce, sealed, aad));
    },
    key(key: Uint8Array): AeadKey {
      return checkedAeadKey(key, (own) => ({
        seal: (nonce, plaintext, ad) => gcmSeal(own, nonce, plaintext, ad),
        open: (nonce, sealed, ad) => gcmOpen(own, nonce, sealed, ad),
        // noble's GCM takes one buffer: the pieces are joined (the browser path; native avoids it).
        sealParts: (nonce, parts) => [gcmSeal(own, nonce, concatBytes(...parts), NO_AAD)],
        openParts: (nonce, parts) => {
          const plain = gcmOpen(own, nonce, concatBytes(...parts), NO_AAD);
          return plain === undefined ? undefined : [plain];
        },
      }));
    },
  }),
  sha3_256(data: Uint8Array): Uint8Array {
    assertBytes(data, undefined, 'data');
    return sha3_256(data);
  },
  sha256Stream(): IncrementalHash {
    const h = sha256.create();
    return guardedHash((data) => void h.update(data), () => h.digest());
  },
  x25519: Object.freeze({
    keyPair: (secretKey: Uint8Array) =>
      checkedX25519(secretKey, (secret) => ({
        publicKey: x25519.getPublicKey(secret),
        agree: (peer) => x25519.getSharedSecret(secret, peer),
      })),
  }),
  hkdfSha3_256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    checkHkdf(ikm, salt, info, length);
    return hkdf(sha3_256, ikm, salt, info, length);
  },
  randomBytes(length: number): Uint8Array {
    checkRandomLength(length);
    return randomBytes(length);
  },
});
