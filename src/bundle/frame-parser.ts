import type { IncrementalHash } from '../crypto/index.ts';
import { BundleError } from './errors.ts';
import { FRAME, FRAME_HEADER_BYTES, frameLengthProblem, type FrameType } from './frames.ts';

export interface ParsedFrame {
  readonly type: FrameType;
  readonly body: Uint8Array;
}

/**
 * Cuts the decrypted stream into frames, across chunk boundaries. Each header is checked before
 * its body is allocated, so a bundle cannot make the reader hold more than one frame's limit.
 * It also feeds the running hash with every byte before the signature frame, and checks that
 * everything after that frame is zero padding. The reader adds the file offset of the chunk
 * to its errors.
 */
export class FrameParser {
  readonly #hash: IncrementalHash | undefined;
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  #headerFill = 0;
  #type: FrameType | undefined;
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  /** Plaintext bytes consumed so far. */
  #position = 0;
  /** The signature frame's first byte has been seen: nothing from there on is hashed. */
  #signatureStarted = false;
  #digest: Uint8Array | undefined;
  #signature: Uint8Array | undefined;

  /**
   * `hash` has already been fed the preamble. Without one (the import pass, whose chunks are
   * bound to the verified ones by their tags) nothing is hashed and `digest` stays undefined.
   */
  constructor(hash?: IncrementalHash) {
    this.#hash = hash;
  }

  /** The hash the signature covers, once the signature frame has begun (with a hash only). */
  get digest(): Uint8Array | undefined {
    return this.#digest;
  }

  /** The signature frame's body, once read whole. */
  get signature(): Uint8Array | undefined {
    return this.#signature;
  }

  get position(): number {
    return this.#position;
  }

  /** Frames completed by `data`, in order. Throws a `BundleError` (format) on a bad header or padding. */
  push(data: Uint8Array): ParsedFrame[] {
    const out: ParsedFrame[] = [];
    let at = 0;
    while (at < data.length) {
      if (this.#signature !== undefined) {
        for (let i = at; i < data.length; i++) {
          if (data[i] !== 0) throw this.#fail(`non-zero byte in the padding after the signature (stream byte ${this.#position + (i - at)})`);
        }
        this.#position += data.length - at;
        break;
      }
      if (this.#body === undefined) {
        const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, data.length - at);
        this.#header.set(data.subarray(at, at + take), this.#headerFill);
        if (this.#headerFill === 0 && data[at] === FRAME.signature && !this.#signatureStarted) {
          // Everything before the signature frame's first byte is what the device signed.
          this.#hash?.update(data.subarray(0, at));
          this.#signatureStarted = true;
          this.#digest = this.#hash?.digest();
        }
        this.#headerFill += take;
        at += take;
        this.#position += take;
        if (this.#headerFill < FRAME_HEADER_BYTES) break;
        const type = this.#header[0] as number;
        const length = new DataView(this.#header.buffer).getUint32(1);
        const problem = frameLengthProblem(type, length);
        if (problem !== undefined) throw this.#fail(`${problem} (stream byte ${this.#position - FRAME_HEADER_BYTES})`);
        this.#type = type as FrameType;
        this.#headerFill = 0;
        // A body inside this piece is a view; one that spans pieces is gathered into a copy.
        if (data.length - at >= length) {
          const body = data.subarray(at, at + length);
          at += length;
          this.#position += length;
          this.#complete(out, body);
        } else {
          this.#body = new Uint8Array(length);
          this.#bodyFill = 0;
        }
        continue;
      }
      const take = Math.min(this.#body.length - this.#bodyFill, data.length - at);
      this.#body.set(data.subarray(at, at + take), this.#bodyFill);
      this.#bodyFill += take;
      at += take;
      this.#position += take;
      if (this.#bodyFill === this.#body.length) {
        const body = this.#body;
        this.#body = undefined;
        this.#complete(out, body);
      }
    }
    // A piece in which the signature frame began was hashed up to it above.
    if (!this.#signatureStarted) this.#hash?.update(data);
    return out;
  }

  /** Checks that the stream ended after the signature frame and its padding. */
  finish(): void {
    if (this.#signature === undefined) {
      throw this.#fail(this.#headerFill > 0 || this.#body !== undefined ? 'the stream ends inside a frame' : 'the stream ends without a signature frame');
    }
  }

  #complete(out: ParsedFrame[], body: Uint8Array): void {
    const type = this.#type as FrameType;
    this.#type = undefined;
    if (type === FRAME.signature) this.#signature = body;
    else out.push({ type, body });
  }

  #fail(message: string): BundleError {
    return new BundleError('ERR_BUNDLE_FORMAT', message);
  }
}
