import * as nodeCrypto from 'node:crypto';
import { assertBytes } from './bytes.ts';
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
  type X25519KeyPair,
} from './provider.ts';

// OIDs of the NIST algorithms (CSOR 2.16.840.1.101.3.4.3.18 and .4.4.2), DER-encoded.
const OID_ML_DSA_65 = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12];
const OID_ML_KEM_768 = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x02];

/**
 * PKCS#8 with the seed-only private key form ([0] IMPLICIT OCTET STRING, RFC 9881 / RFC 9935).
 * OpenSSL expands the seed itself, so native keys are bit-identical to noble's KeyGen(seed).
 */
function seedPkcs8(oid: readonly number[], seed: Uint8Array): Buffer {
  const privateKey = [0x04, seed.length + 2, 0x80, seed.length];
  const algorithm = [0x30, oid.length, ...oid];
  const bodyLength = 3 + algorithm.length + privateKey.length + seed.length;
  return Buffer.concat([
    Buffer.from([0x30, bodyLength, 0x02, 0x01, 0x00, ...algorithm, ...privateKey]),
    seed,
  ]);
}

function rawPublicKey(key: nodeCrypto.KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' }) as { pub?: string };
  if (typeof jwk.pub !== 'string') throw new Error('native provider: public key export lacks "pub"');
  return new Uint8Array(Buffer.from(jwk.pub, 'base64url'));
}

function importPublicKey(alg: 'ML-DSA-65' | 'ML-KEM-768', publicKey: Uint8Array): nodeCrypto.KeyObject {
  const jwk = { kty: 'AKP', alg, pub: Buffer.from(publicKey).toString('base64url') };
  return nodeCrypto.createPublicKey({ key: jwk as unknown as nodeCrypto.JsonWebKey, format: 'jwk' });
}

// DER prefixes of an X25519 PKCS#8 private key and SPKI public key (RFC 8410), before the 32 raw bytes.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function nativeX25519(secretKey: Uint8Array): X25519KeyPair {
  return checkedX25519(secretKey, (secret) => {
    const privateKey = nodeCrypto.createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' });
    secret.fill(0);
    const spki = nodeCrypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    return {
      publicKey: new Uint8Array(spki.subarray(X25519_SPKI_PREFIX.length)),
      agree: (peer) => {
        const publicKey = nodeCrypto.createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, peer]), format: 'der', type: 'spki' });
        return new Uint8Array(nodeCrypto.diffieHellman({ privateKey, publicKey }));
      },
    };
  });
}

function gcmSeal(key: nodeCrypto.CipherKey, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  const cipher = nodeCrypto.createCipheriv('aes-256-gcm', key, nonce, { authTagLength: AES_256_GCM.tag });
  cipher.setAAD(ad);
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  return new Uint8Array(Buffer.concat([body, tail, cipher.getAuthTag()]));
}

function gcmOpen(key: nodeCrypto.CipherKey, nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array | undefined {
  if (sealed.length < AES_256_GCM.tag) return undefined;
  const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: AES_256_GCM.tag });
  decipher.setAAD(ad);
  decipher.setAuthTag(sealed.subarray(sealed.length - AES_256_GCM.tag));
  const body = decipher.update(sealed.subarray(0, sealed.length - AES_256_GCM.tag));
  try {
    const tail = decipher.final();
    // GCM's final() yields nothing more: when the body owns its memory (not a slice of Node's
    // shared pool), hand it over instead of copying large plaintexts.
    if (tail.length === 0 && body.byteOffset === 0 && body.buffer.byteLength === body.length) return new Uint8Array(body.buffer, 0, body.length);
    return new Uint8Array(Buffer.concat([body, tail]));
  } catch {
    body.fill(0);
    return undefined;
  }
}

function gcmSealParts(key: nodeCrypto.KeyObject, nonce: Uint8Array, parts: readonly Uint8Array[]): Uint8Array[] {
  const cipher = nodeCrypto.createCipheriv('aes-256-gcm', key, nonce, { authTagLength: AES_256_GCM.tag });
  const out: Uint8Array[] = [];
  for (const part of parts) if (part.length > 0) out.push(cipher.update(part));
  const tail = cipher.final();
  if (tail.length > 0) out.push(tail);
  out.push(cipher.getAuthTag());
  return out;
}

function gcmOpenParts(key: nodeCrypto.KeyObject, nonce: Uint8Array, parts: readonly Uint8Array[]): Uint8Array[] | undefined {
  let total = 0;
  for (const part of parts) total += part.length;
  if (total < AES_256_GCM.tag) return undefined;
  // The tag is the last 16 bytes, wherever the parts split them; the body is everything before.
  const tag = new Uint8Array(AES_256_GCM.tag);
  const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: AES_256_GCM.tag });
  const out: Uint8Array[] = [];
  let at = 0;
  const bodyEnd = total - AES_256_GCM.tag;
  for (const part of parts) {
    const end = at + part.length;
    if (at < bodyEnd) {
      const body = part.subarray(0, Math.min(part.length, bodyEnd - at));
      if (body.length > 0) out.push(decipher.update(body));
    }
    if (end > bodyEnd) {
      const from = Math.max(0, bodyEnd - at);
      tag.set(part.subarray(from), at + from - bodyEnd);
    }
    at = end;
  }
  decipher.setAuthTag(tag);
  try {
    const tail = decipher.final();
    if (tail.length > 0) out.push(tail);
    return out;
  } catch {
    for (const piece of out) piece.fill(0);
    return undefined;
  }
}

const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;

type SignInput = nodeCrypto.SignKeyObjectInput & { context?: Uint8Array };
type VerifyInput = nodeCrypto.VerifyKeyObjectInput & { context?: Uint8Array };

/**
 * Runs `work` with V8's stack capture off. A context string reaches ML-DSA only through an options
 * object (`{ key, context }`), and node:crypto tells such an object from a KeyObject and a
 * CryptoKey by trying the native brand checks of both: each throws a TypeError that node catches
 * at once. Capturing the stack of those two errors costs about 10 µs per call, some 5% of an
 * ML-DSA-65 verification (and garbage for the verify workers' GC). Errors that escape `work` carry
 * their message but no stack.
 */
function withoutStackCapture<T>(work: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return work();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function nativeVerifier(publicKey: Uint8Array): SignatureVerifier {
  return checkedVerifier(publicKey, (pk) => {
    const key = importPublicKey('ML-DSA-65', pk);
    return (message, signature, context) => withoutStackCapture(() => nodeCrypto.verify(null, message, { key, context } as VerifyInput, signature));
  });
}

/** True when this runtime's `node:crypto` implements ML-DSA-65 and ML-KEM-768 (Node >= 24.7 with OpenSSL >= 3.5). */
export function nativePostQuantumAvailable(): boolean {
  if (typeof (nodeCrypto as { encapsulate?: unknown }).encapsulate !== 'function') return false;
  try {
    nodeCrypto.createPrivateKey({ key: seedPkcs8(OID_ML_DSA_65, new Uint8Array(32)), format: 'der', type: 'pkcs8' });
    nodeCrypto.createPrivateKey({ key: seedPkcs8(OID_ML_KEM_768, new Uint8Array(64)), format: 'der', type: 'pkcs8' });
    return true;
  } catch {
    return false;
  }
}

/** The provider backed by `node:crypto` (OpenSSL). */
export const nativeProvider: CryptoProvider = Object.freeze({
  name: 'native' as const,
  mlDsa65: Object.freeze({
    keyPair(seed: Uint8Array): SigningKeyPair {
      assertBytes(seed, ML_DSA_65.seed, 'ML-DSA-65 seed');
      const key = nodeCrypto.createPrivateKey({ key: seedPkcs8(OID_ML_DSA_65, seed), format: 'der', type: 'pkcs8' });
      const publicKey = rawPublicKey(nodeCrypto.createPublicKey(key));
      return Object.freeze({
        publicKey,
        sign(message: Uint8Array, context?: Uint8Array): Uint8Array {
          assertBytes(message, undefined, 'message');
          const input: SignInput = { key, context: checkContext(context) };
          return new Uint8Array(withoutStackCapture(() => nodeCrypto.sign(null, message, input)));
        },
      });
    },
    verifier: nativeVerifier,
    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, context?: Uint8Array): boolean {
      return nativeVerifier(publicKey).verify(message, signature, context);
    },
  }),
  mlKem768: Object.freeze({
    keyPair(seed: Uint8Array): KemKeyPair {
      assertBytes(seed, ML_KEM_768.seed, 'ML-KEM-768 seed');
      const key = nodeCrypto.createPrivateKey({ key: seedPkcs8(OID_ML_KEM_768, seed), format: 'der', type: 'pkcs8' });
      const publicKey = rawPublicKey(nodeCrypto.createPublicKey(key));
      return Object.freeze({
        publicKey,
        decapsulate(cipherText: Uint8Array): Uint8Array {
          assertBytes(cipherText, ML_KEM_768.cipherText, 'ML-KEM-768 ciphertext');
          return new Uint8Array(nodeCrypto.decapsulate(key, cipherText));
        },
      });
    },
    encapsulate(publicKey: Uint8Array): Encapsulation {
      assertBytes(publicKey, ML_KEM_768.publicKey, 'ML-KEM-768 public key');
      let key: nodeCrypto.KeyObject;
      try {
        key = importPublicKey('ML-KEM-768', publicKey);
      } catch {
        throw new CryptoInputError('ML-KEM-768 public key fails the FIPS 203 modulus check');
      }
      const { sharedKey, ciphertext } = nodeCrypto.encapsulate(key);
      return { cipherText: new Uint8Array(ciphertext), sharedSecret: new Uint8Array(sharedKey) };
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
      return checkedAeadKey(key, (own) => {
        // A KeyObject made once: given raw bytes, node:crypto builds one for every message.
        const secret = nodeCrypto.createSecretKey(own);
        own.fill(0);
        return {
          seal: (nonce, plaintext, ad) => gcmSeal(secret, nonce, plaintext, ad),
          open: (nonce, sealed, ad) => gcmOpen(secret, nonce, sealed, ad),
          sealParts: (nonce, parts) => gcmSealParts(secret, nonce, parts),
          openParts: (nonce, parts) => gcmOpenParts(secret, nonce, parts),
        };
      });
    },
  }),
  x25519: Object.freeze({ keyPair: nativeX25519 }),
  sha3_256(data: Uint8Array): Uint8Array {
    assertBytes(data, undefined, 'data');
    // One-shot hashing (Node >= 21.7) skips the Hash object: measurably faster on every vertex id.
    if (oneShotHash !== undefined) return new Uint8Array(oneShotHash('sha3-256', data, 'buffer'));
    return new Uint8Array(nodeCrypto.createHash('sha3-256').update(data).digest());
  },
  sha256Stream(): IncrementalHash {
    const h = nodeCrypto.createHash('sha256');
    return guardedHash((data) => void h.update(data), () => new Uint8Array(h.digest()));
  },
  hkdfSha3_256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    checkHkdf(ikm, salt, info, length);
    return new Uint8Array(nodeCrypto.hkdfSync('sha3-256', ikm, salt, info, length));
  },
  randomBytes(length: number): Uint8Array {
    checkRandomLength(length);
    return new Uint8Array(nodeCrypto.randomBytes(length));
  },
});
