import { AES_256_GCM, concatBytes, equalBytes, type CryptoProvider } from '../crypto/index.ts';
import { BundleError } from './errors.ts';
import { BUNDLE_LIMITS, BUNDLE_VERSION } from './limits.ts';

/** "PARSBNDL": the one thing a finder can read for certain. */
export const BUNDLE_MAGIC = Uint8Array.from([0x50, 0x41, 0x52, 0x53, 0x42, 0x4e, 0x44, 0x4c]);
export const FILE_KEY_BYTES = 32;
const SALT_BYTES = 32;
/** magic 8 ‖ version 1 ‖ kdf log2 N 1 ‖ reserved 2 ‖ salt 32. */
const FIXED_BYTES = 44;
/** nonce 12 ‖ AES-256-GCM(file key) 32 + 16. */
export const STANZA_BYTES = AES_256_GCM.nonce + FILE_KEY_BYTES + AES_256_GCM.tag;
export const PREAMBLE_BYTES = FIXED_BYTES + BUNDLE_LIMITS.stanzas * STANZA_BYTES;

/** The clear part of a bundle: who may open it is hidden in stanzas that all look random. */
export interface Preamble {
  readonly bytes: Uint8Array;
  readonly kdfLogN: number;
  readonly salt: Uint8Array;
}

function fixedPart(kdfLogN: number, salt: Uint8Array): Uint8Array {
  const out = new Uint8Array(FIXED_BYTES);
  out.set(BUNDLE_MAGIC, 0);
  out[8] = BUNDLE_VERSION;
  out[9] = kdfLogN;
  out.set(salt, 12);
  return out;
}

/**
 * A new preamble: the file key wrapped under each recipient's wrap key, in stanzas at random
 * positions; the other positions are random bytes of the same length.
 */
export function buildPreamble(provider: CryptoProvider, fileKey: Uint8Array, wrapKeys: readonly Uint8Array[], kdfLogN: number, salt: Uint8Array): Preamble {
  if (wrapKeys.length < 1 || wrapKeys.length > BUNDLE_LIMITS.stanzas) throw new RangeError(`a bundle has 1 to ${BUNDLE_LIMITS.stanzas} recipients, got ${wrapKeys.length}`);
  const fixed = fixedPart(kdfLogN, salt);
  const slots: Uint8Array[] = [];
  for (const key of wrapKeys) {
    const nonce = provider.randomBytes(AES_256_GCM.nonce);
    slots.push(concatBytes(nonce, provider.aes256Gcm.seal(key, nonce, fileKey, fixed)));
  }
  while (slots.length < BUNDLE_LIMITS.stanzas) slots.push(provider.randomBytes(STANZA_BYTES));
  // Fisher–Yates with the provider's randomness: a recipient's position says nothing.
  const draws = provider.randomBytes(4 * slots.length);
  const view = new DataView(draws.buffer, draws.byteOffset, draws.byteLength);
  for (let i = slots.length - 1; i > 0; i--) {
    const j = view.getUint32(4 * i) % (i + 1);
    [slots[i], slots[j]] = [slots[j] as Uint8Array, slots[i] as Uint8Array];
  }
  return { bytes: concatBytes(fixed, ...slots), kdfLogN, salt };
}

export function newSalt(provider: CryptoProvider): Uint8Array {
  return provider.randomBytes(SALT_BYTES);
}

/** Checks the clear fields of the first PREAMBLE_BYTES of a file. */
export function parsePreamble(bytes: Uint8Array): Preamble {
  if (bytes.length < BUNDLE_MAGIC.length || !equalBytes(bytes.subarray(0, BUNDLE_MAGIC.length), BUNDLE_MAGIC)) {
    throw new BundleError('ERR_BUNDLE_NOT_A_BUNDLE', 'this file is not a Pars Mesh bundle (no PARSBNDL mark)', 0);
  }
  if (bytes.length < PREAMBLE_BYTES) throw new BundleError('ERR_BUNDLE_TRUNCATED', `the bundle ends inside its ${PREAMBLE_BYTES}-byte header`, bytes.length);
  if (bytes[8] !== BUNDLE_VERSION) throw new BundleError('ERR_BUNDLE_VERSION', `bundle format version ${bytes[8]} is not supported (this program reads version ${BUNDLE_VERSION})`, 8);
  const kdfLogN = bytes[9] as number;
  if (kdfLogN < BUNDLE_LIMITS.minKdfLogN || kdfLogN > BUNDLE_LIMITS.maxKdfLogN) {
    throw new BundleError('ERR_BUNDLE_FORMAT', `passphrase cost 2^${kdfLogN} is outside 2^${BUNDLE_LIMITS.minKdfLogN}..2^${BUNDLE_LIMITS.maxKdfLogN}`, 9);
  }
  if (bytes[10] !== 0 || bytes[11] !== 0) throw new BundleError('ERR_BUNDLE_FORMAT', 'reserved header bytes are not zero', 10);
  const head = bytes.subarray(0, PREAMBLE_BYTES);
  return { bytes: head, kdfLogN, salt: head.slice(12, 12 + SALT_BYTES) };
}

/**
 * The file key, from the first stanza that one of `wrapKeys` opens; `undefined` when none does
 * (not a recipient, wrong passphrase — or a damaged header: the stanzas cannot tell these apart).
 */
export function unwrapFileKey(provider: CryptoProvider, preamble: Preamble, wrapKeys: readonly Uint8Array[]): Uint8Array | undefined {
  const fixed = preamble.bytes.subarray(0, FIXED_BYTES);
  for (const key of wrapKeys) {
    for (let i = 0; i < BUNDLE_LIMITS.stanzas; i++) {
      const at = FIXED_BYTES + i * STANZA_BYTES;
      const nonce = preamble.bytes.subarray(at, at + AES_256_GCM.nonce);
      const sealed = preamble.bytes.subarray(at + AES_256_GCM.nonce, at + STANZA_BYTES);
      const fileKey = provider.aes256Gcm.open(key, nonce, sealed, fixed);
      if (fileKey !== undefined) return fileKey;
    }
  }
  return undefined;
}
