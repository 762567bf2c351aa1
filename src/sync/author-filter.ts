import { BloomFilter, type BloomHash } from '../dag/index.ts';
import { SYNC_LIMITS } from './limits.ts';

/** Bytes of a Bloom filter's wire header (u32 bits, u8 hashes, 16-byte salt). */
const BLOOM_HEADER = 21;

/**
 * The author filter a side sends in its first frame: a salted Bloom filter (src/dag/bloom.ts) of
 * the author ids whose keys it holds, so the peer attaches exactly the keys it lacks to the
 * vertices it sends, without a round trip to ask. A false positive only means one key is not
 * attached; the receiver then asks for it (KEY_WANT) or gets it in a later session. Undefined when
 * no key is held.
 */
export function buildAuthorFilter(authors: Iterable<Uint8Array>, fpRate: number, salt: Uint8Array, hash: BloomHash): Uint8Array | undefined {
  const ids: Uint8Array[] = [];
  for (const a of authors) if (a.length === 32) ids.push(a);
  if (ids.length === 0) return undefined;
  const maxBits = (SYNC_LIMITS.maxAuthorFilterBytes - BLOOM_HEADER) * 8;
  let { bits, hashes } = BloomFilter.parametersFor(ids.length, fpRate);
  if (bits > maxBits) {
    // More authors than fit: announce as many as fit at the target rate; the rest get keys attached.
    const fit = Math.floor((ids.length * maxBits) / bits);
    ids.length = fit;
    ({ bits, hashes } = BloomFilter.parametersFor(fit, fpRate));
  }
  const filter = BloomFilter.create({ bits, hashes, salt }, hash);
  for (const id of ids) filter.add(id);
  return filter.toBytes();
}

/** Parses a received author filter; undefined if it is malformed, zero-sized or saturated. */
export function parseAuthorFilter(bytes: Uint8Array, hash: BloomHash): BloomFilter | undefined {
  const filter = BloomFilter.fromBytes(bytes, hash);
  if (filter === undefined) return undefined;
  let set = 0;
  for (let i = BLOOM_HEADER; i < bytes.length; i++) {
    let b = bytes[i] as number;
    while (b !== 0) {
      b &= b - 1;
      set++;
    }
  }
  // An honest filter sized for its entries has about half its bits set; one with nearly all set
  // would claim every author and starve the sender of the chance to attach keys.
  if (set > filter.bits * SYNC_LIMITS.maxAuthorFilterFill) return undefined;
  return filter;
}
