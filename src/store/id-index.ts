import { randomFillSync } from 'node:crypto';
import { VERTEX_LIMITS } from '../dag/index.ts';
import { StoreError } from './errors.ts';

const ID_WORDS = VERTEX_LIMITS.idBytes / 4;
/** Starting table size (slots); it doubles whenever it is half full. */
const INITIAL_SLOTS = 1024;

/**
 * Which row (`seq`) of the vertices table holds each id: a hash table in typed arrays from a
 * 32-bit fingerprint of the id to the row's seq, 24 to 48 bytes per vertex (12 per slot, the table
 * between a quarter and half full).
 *
 * It stands in for a SQLite index on the 32-byte id. Ids are hashes, so such an index takes its
 * inserts at random places: once it is larger than a batch, every stored vertex rewrites one of
 * its pages, and ingest slows as the store grows (`npm run bench -- store-growth`).
 *
 * A fingerprint is a guess, not an answer: two ids can share one, so callers confirm each
 * candidate row against the row's own id. The fingerprint is a hash keyed with random
 * multipliers chosen at start, so whoever makes vertices cannot grind ids that pile onto one
 * slot and turn lookups into scans.
 */
export class IdIndex {
  /** Fingerprint per slot (meaningful where `#seqs` is non-zero). */
  #prints = new Uint32Array(INITIAL_SLOTS);
  /** Row seq per slot; 0 marks an empty slot (SQLite row ids start at 1). */
  #seqs = new Float64Array(INITIAL_SLOTS);
  #size = 0;
  readonly #keys: Uint32Array;

  constructor() {
    this.#keys = new Uint32Array(ID_WORDS);
    randomFillSync(this.#keys);
    // Odd multipliers: multiplication by an odd number is a bijection modulo 2^32.
    for (let i = 0; i < ID_WORDS; i++) this.#keys[i] = ((this.#keys[i] as number) | 1) >>> 0;
  }

  /** How many ids it holds. */
  get size(): number {
    return this.#size;
  }

  /** Records that the row `seq` holds `id`. Adding an id twice gives two candidates. */
  add(id: Uint8Array, seq: number): void {
    if (!Number.isSafeInteger(seq) || seq < 1) throw new StoreError('ERR_STORE_CORRUPT', `vertex row id ${seq} is not a positive integer`);
    if (2 * (this.#size + 1) > this.#seqs.length) this.#grow();
    this.#insert(this.#fingerprint(id), seq);
    this.#size++;
  }

  /**
   * Reads the candidate rows for `id` with `read`, which returns what it wants of the row if the
   * row's own id is `id` and undefined if not; the first defined result, or undefined when no row
   * holds `id`.
   */
  find<T>(id: Uint8Array, read: (seq: number) => T | undefined): T | undefined {
    const print = this.#fingerprint(id);
    const mask = this.#seqs.length - 1;
    for (let slot = print & mask; ; slot = (slot + 1) & mask) {
      const seq = this.#seqs[slot] as number;
      if (seq === 0) return undefined;
      if (this.#prints[slot] !== print) continue;
      const found = read(seq);
      if (found !== undefined) return found;
    }
  }

  #fingerprint(id: Uint8Array): number {
    if (id.length !== VERTEX_LIMITS.idBytes) throw new StoreError('ERR_STORE_ID_SIZE', `an id is ${VERTEX_LIMITS.idBytes} bytes, got ${id.length}`);
    let h = 0;
    for (let i = 0; i < ID_WORDS; i++) {
      const at = 4 * i;
      const word = ((id[at] as number) | ((id[at + 1] as number) << 8) | ((id[at + 2] as number) << 16) | ((id[at + 3] as number) << 24)) >>> 0;
      h = (h + Math.imul(word, this.#keys[i] as number)) >>> 0;
    }
    // The high bits of a product mix every bit of the word; fold them into the slot bits.
    return (h ^ (h >>> 16)) >>> 0;
  }

  #insert(print: number, seq: number): void {
    const mask = this.#seqs.length - 1;
    let slot = print & mask;
    while (this.#seqs[slot] !== 0) slot = (slot + 1) & mask;
    this.#prints[slot] = print;
    this.#seqs[slot] = seq;
  }

  #grow(): void {
    const prints = this.#prints;
    const seqs = this.#seqs;
    this.#prints = new Uint32Array(2 * seqs.length);
    this.#seqs = new Float64Array(2 * seqs.length);
    for (let slot = 0; slot < seqs.length; slot++) if (seqs[slot] !== 0) this.#insert(prints[slot] as number, seqs[slot] as number);
  }
}
