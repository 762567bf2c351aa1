import { utf8, type CryptoProvider, type IncrementalHash } from '../crypto/index.ts';
import { ChunkCipher } from './chunk-cipher.ts';
import { encodeFrame, FRAME, type FrameType } from './frames.ts';
import { BUNDLE_LIMITS } from './limits.ts';
import { padme } from './padme.ts';
import type { Preamble } from './preamble.ts';

/** ML-DSA context string of the device signature: a bundle signature is never valid as anything else. */
export const BUNDLE_SIGNATURE_CONTEXT = utf8('pars-mesh/bundle/v1');

/** Where sealed bytes go, in order; writes are synchronous so memory stays at one chunk. */
export interface ByteSink {
  write(bytes: Uint8Array): void;
}

export interface WrittenBundle {
  /**
   * SHA-256 of the preamble and every frame before the signature: what the device signed. SHA-256,
   * not the SHA3-256 used elsewhere, because this hash runs over every byte of the bundle and is
   * faster on CPUs with SHA extensions, at the same 256-bit strength.
   */
  readonly digest: Uint8Array;
  readonly chunks: number;
  readonly bytes: number;
}

/**
 * Writes a bundle as it is produced: the preamble, then frames into 64 KiB chunks, each sealed
 * and handed to the sink as soon as the next one begins. The running hash covers the preamble
 * and every frame; `finish` signs it, appends the signature frame, pads with zero chunks to the
 * Padmé size and seals the final chunk with the last flag.
 */
export class BundleWriter {
  readonly #cipher: ChunkCipher;
  readonly #sink: ByteSink;
  readonly #hash: IncrementalHash;
  #chunk = new Uint8Array(BUNDLE_LIMITS.chunkBytes);
  #fill = 0;
  /** A full chunk waiting to learn whether it is the last. */
  #held: Uint8Array | undefined;
  #index = 0;
  #bytes = 0;
  #finished = false;

  constructor(provider: CryptoProvider, fileKey: Uint8Array, preamble: Preamble, sink: ByteSink) {
    this.#cipher = new ChunkCipher(provider, fileKey, preamble.bytes, preamble.salt);
    this.#sink = sink;
    this.#hash = provider.sha256Stream();
    this.#hash.update(preamble.bytes);
    this.#emit(preamble.bytes);
  }

  frame(type: Exclude<FrameType, typeof FRAME.signature>, body: Uint8Array): void {
    if (this.#finished) throw new Error('bundle already finished');
    const bytes = encodeFrame(type, body);
    this.#hash.update(bytes);
    this.#append(bytes);
  }

  /** Signs what was written (`sign` gets the digest), closes the stream, and reports. */
  finish(sign: (digest: Uint8Array) => Uint8Array): WrittenBundle {
    if (this.#finished) throw new Error('bundle already finished');
    this.#finished = true;
    const digest = this.#hash.digest();
    this.#append(encodeFrame(FRAME.signature, sign(digest)));
    // Zero-pad the current chunk, then add zero chunks up to the Padmé count.
    if (this.#fill > 0) this.#rotate();
    const used = this.#index + (this.#held === undefined ? 0 : 1);
    for (let n = used; n < padme(used); n++) this.#rotate();
    if (this.#held === undefined) throw new Error('bundle has no chunk');
    this.#emit(this.#cipher.seal(this.#index, true, this.#held));
    this.#index++;
    return { digest, chunks: this.#index, bytes: this.#bytes };
  }

  #append(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length) {
      if (this.#fill === BUNDLE_LIMITS.chunkBytes) this.#rotate();
      const take = Math.min(BUNDLE_LIMITS.chunkBytes - this.#fill, bytes.length - at);
      this.#chunk.set(bytes.subarray(at, at + take), this.#fill);
      this.#fill += take;
      at += take;
    }
  }

  /** The current chunk becomes the held one; the previously held one is sealed as not last. */
  #rotate(): void {
    if (this.#held !== undefined) {
      this.#emit(this.#cipher.seal(this.#index, false, this.#held));
      this.#index++;
    }
    this.#held = this.#chunk;
    this.#chunk = new Uint8Array(BUNDLE_LIMITS.chunkBytes);
    this.#fill = 0;
  }

  #emit(bytes: Uint8Array): void {
    this.#sink.write(bytes);
    this.#bytes += bytes.length;
  }
}
