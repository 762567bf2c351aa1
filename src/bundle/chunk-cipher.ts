import { AES_256_GCM, utf8, type CryptoProvider } from '../crypto/index.ts';
import { BundleError } from './errors.ts';
import { BUNDLE_LIMITS } from './limits.ts';

/** Bytes of one sealed chunk on disk: a full plaintext chunk plus its tag. */
export const SEALED_CHUNK_BYTES = BUNDLE_LIMITS.chunkBytes + AES_256_GCM.tag;

/**
 * The body cipher, an online AEAD in the STREAM style: chunk i is sealed with nonce
 * u64(i) ‖ 0 0 0 ‖ last, so chunks cannot be reordered, dropped, duplicated, or the stream cut
 * and re-marked as ended without a tag failing. The associated data is the hash of the preamble,
 * so a chunk is bound to this bundle's header as well as its key.
 */
export class ChunkCipher {
  readonly #provider: CryptoProvider;
  readonly #key: Uint8Array;
  readonly #ad: Uint8Array;

  constructor(provider: CryptoProvider, fileKey: Uint8Array, preamble: Uint8Array, salt: Uint8Array) {
    this.#provider = provider;
    this.#key = provider.hkdfSha3_256(fileKey, salt, utf8('pars-mesh/bundle/chunk/v1'), 32);
    this.#ad = provider.sha3_256(preamble);
  }

  seal(index: number, last: boolean, plaintext: Uint8Array): Uint8Array {
    if (plaintext.length !== BUNDLE_LIMITS.chunkBytes) throw new RangeError(`a chunk holds exactly ${BUNDLE_LIMITS.chunkBytes} bytes`);
    return this.#provider.aes256Gcm.seal(this.#key, nonceOf(index, last), plaintext, this.#ad);
  }

  /** The plaintext and whether this was the last chunk; undefined when neither reading verifies. */
  open(index: number, sealed: Uint8Array): { plaintext: Uint8Array; last: boolean } | undefined {
    const inner = this.#provider.aes256Gcm.open(this.#key, nonceOf(index, false), sealed, this.#ad);
    if (inner !== undefined) return { plaintext: inner, last: false };
    const last = this.#provider.aes256Gcm.open(this.#key, nonceOf(index, true), sealed, this.#ad);
    return last === undefined ? undefined : { plaintext: last, last: true };
  }
}

function nonceOf(index: number, last: boolean): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0 || index >= BUNDLE_LIMITS.maxChunks) {
    throw new BundleError('ERR_BUNDLE_FORMAT', `chunk ${index} is beyond the ${BUNDLE_LIMITS.maxChunks}-chunk limit`);
  }
  const nonce = new Uint8Array(AES_256_GCM.nonce);
  new DataView(nonce.buffer).setBigUint64(0, BigInt(index));
  nonce[11] = last ? 1 : 0;
  return nonce;
}
