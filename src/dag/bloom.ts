import { DagError } from './rejection.ts';

/** Limits of a Bloom filter received from a peer; checked before anything is allocated. */
export const BLOOM_LIMITS = Object.freeze({
  maxBits: 1 << 24, // 2 MiB of filter
  maxHashes: 24,
  saltBytes: 16,
});

/** A keyed hash: 32 uniformly random bytes per input (positions are its 32-bit words). SHA3-256 in practice. */
export type BloomHash = (data: Uint8Array) => Uint8Array;

/** 32-bit words, hence bit positions, per hash output. */
const WORDS_PER_BLOCK = 8;

export interface BloomParameters {
  readonly bits: number;
  readonly hashes: number;
  readonly salt: Uint8Array;
}

/**
 * A Bloom filter over 32-byte vertex ids whose bit positions are keyed by a fresh random salt for
 * every use: positions are SHA3-256(salt ‖ id), so an adversary who grinds vertex ids in advance
 * cannot make them collide with someone else's in a filter it has not seen (PIP-1 "Bloom filters").
 * Each of the k positions is its own 32-bit word of hash output (8 per SHA3-256 call). Double
 * hashing (one hash, positions h1 + i·h2) was tried and dropped: in the small filters sync sends
 * (a few authors, 64–200 bits), a step sharing a factor with the bit count folds the k positions
 * onto a few bits, and filters of 1 to 8 ids at 10^-5 answered "present" for about 2.4 % of absent ids.
 *
 * Wire form: u32 bits (big-endian) ‖ u8 hashes ‖ 16-byte salt ‖ ceil(bits / 8) bytes of filter.
 */
export class BloomFilter {
  readonly bits: number;
  readonly hashes: number;
  readonly salt: Uint8Array;
  readonly #filter: Uint8Array;
  readonly #hash: BloomHash;
  readonly #input: Uint8Array;

  private constructor(params: BloomParameters, filter: Uint8Array, hash: BloomHash) {
    this.bits = params.bits;
    this.hashes = params.hashes;
    this.salt = Uint8Array.from(params.salt);
    this.#filter = filter;
    this.#hash = hash;
    this.#input = new Uint8Array(BLOOM_LIMITS.saltBytes + 32 + 1);
    this.#input.set(this.salt, 0);
  }

  /** Size for `expected` ids at false-positive rate `fpRate` (0 < fpRate < 1). */
  static parametersFor(expected: number, fpRate: number): { bits: number; hashes: number } {
    if (!(fpRate > 0 && fpRate < 1)) throw new DagError('ERR_BLOOM_PARAMETERS', 'fpRate must be in (0, 1)');
    const n = Math.max(1, Math.ceil(expected));
    const bits = Math.min(BLOOM_LIMITS.maxBits, Math.max(64, Math.ceil((-n * Math.log(fpRate)) / (Math.LN2 * Math.LN2))));
    const hashes = Math.min(BLOOM_LIMITS.maxHashes, Math.max(1, Math.round((bits / n) * Math.LN2)));
    return { bits, hashes };
  }

  /** An empty filter; `salt` must be fresh randomness (16 bytes) for each use. */
  static create(params: BloomParameters, hash: BloomHash): BloomFilter {
    BloomFilter.#check(params);
    return new BloomFilter(params, new Uint8Array(Math.ceil(params.bits / 8)), hash);
  }

  /** Parses a filter received from a peer; undefined if it breaks a limit or is malformed. */
  static fromBytes(bytes: Uint8Array, hash: BloomHash): BloomFilter | undefined {
    const header = 4 + 1 + BLOOM_LIMITS.saltBytes;
    if (bytes.length < header) return undefined;
    const bits = ((bytes[0] as number) * 2 ** 24) + ((bytes[1] as number) << 16) + ((bytes[2] as number) << 8) + (bytes[3] as number);
    const hashes = bytes[4] as number;
    if (bits < 8 || bits > BLOOM_LIMITS.maxBits || hashes < 1 || hashes > BLOOM_LIMITS.maxHashes) return undefined;
    if (bytes.length !== header + Math.ceil(bits / 8)) return undefined;
    const salt = bytes.subarray(5, header);
    return new BloomFilter({ bits, hashes, salt }, Uint8Array.from(bytes.subarray(header)), hash);
  }

  static #check(p: BloomParameters): void {
    if (!Number.isInteger(p.bits) || p.bits < 8 || p.bits > BLOOM_LIMITS.maxBits) {
      throw new DagError('ERR_BLOOM_PARAMETERS', `bits must be an integer in 8..${BLOOM_LIMITS.maxBits}`);
    }
    if (!Number.isInteger(p.hashes) || p.hashes < 1 || p.hashes > BLOOM_LIMITS.maxHashes) {
      throw new DagError('ERR_BLOOM_PARAMETERS', `hashes must be an integer in 1..${BLOOM_LIMITS.maxHashes}`);
    }
    if (!(p.salt instanceof Uint8Array) || p.salt.length !== BLOOM_LIMITS.saltBytes) {
      throw new DagError('ERR_BLOOM_PARAMETERS', `salt must be ${BLOOM_LIMITS.saltBytes} bytes`);
    }
  }

  add(id: Uint8Array): void {
    this.#positions(id, (bit) => {
      this.#filter[bit >>> 3] = (this.#filter[bit >>> 3] as number) | (1 << (bit & 7));
      return true;
    });
  }

  /** False means certainly absent; true means present or a false positive. */
  has(id: Uint8Array): boolean {
    return this.#positions(id, (bit) => ((this.#filter[bit >>> 3] as number) & (1 << (bit & 7))) !== 0);
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(4 + 1 + BLOOM_LIMITS.saltBytes + this.#filter.length);
    out[0] = (this.bits >>> 24) & 0xff;
    out[1] = (this.bits >>> 16) & 0xff;
    out[2] = (this.bits >>> 8) & 0xff;
    out[3] = this.bits & 0xff;
    out[4] = this.hashes;
    out.set(this.salt, 5);
    out.set(this.#filter, 5 + BLOOM_LIMITS.saltBytes);
    return out;
  }

  #positions(id: Uint8Array, visit: (bit: number) => boolean): boolean {
    if (!(id instanceof Uint8Array) || id.length !== 32) throw new DagError('ERR_BLOOM_ID', 'Bloom filter ids are 32 bytes');
    const input = this.#input;
    input.set(id, BLOOM_LIMITS.saltBytes);
    let view: DataView | undefined;
    for (let i = 0; i < this.hashes; i++) {
      const word = i % WORDS_PER_BLOCK;
      if (word === 0) {
        // Block j is SHA3-256(salt ‖ id ‖ u8 j): the first block without the counter byte, so
        // filters of at most 8 hashes cost one hash of 48 bytes per id.
        const block = i / WORDS_PER_BLOCK;
        input[input.length - 1] = block;
        const h = this.#hash(block === 0 ? input.subarray(0, input.length - 1) : input);
        view = new DataView(h.buffer, h.byteOffset, h.byteLength);
      }
      // A 32-bit word modulo at most 2^24 bits: no position is more than 1/256 likelier than another.
      if (!visit((view as DataView).getUint32(word * 4) % this.bits)) return false;
    }
    return true;
  }
}
