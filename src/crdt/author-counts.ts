import { compareIds, idKey, VERTEX_LIMITS } from '../dag/index.ts';
import { BASIC_TYPE_LIMITS } from './basic-limits.ts';
import { crdtOk, crdtReject, type CrdtResult } from './errors.ts';
import { SnapshotStop, type StateReader, type StateWriter } from './state-codec.ts';

/**
 * Per-author totals, the state of a grow-only counter: key = hex of the 32-byte author id.
 * Entries are never mutated (an increment replaces its entry), so states can share them.
 *
 * Merging takes the larger total of each author. That is exact when every author's vertices
 * form a chain (each has the author's previous vertex in its past), so that of two replicas'
 * totals for an author one always includes the other. See docs/CRDT.md for what a forking
 * author does to it.
 */
export type AuthorCounts = Map<string, AuthorCount>;

export interface AuthorCount {
  readonly author: Uint8Array;
  readonly count: bigint;
}

const AUTHOR_BYTES = VERTEX_LIMITS.authorBytes;

/** Reads the amount of a counter operation: an integer from 1 to `maxCounterStep`. */
export function checkStep(value: unknown, what: string): CrdtResult<number> {
  const max = BASIC_TYPE_LIMITS.maxCounterStep;
  // CBOR decoders give integers beyond 2^53 as bigints; none of them is a valid step.
  if (typeof value === 'bigint') return value > 0n ? crdtReject('limit', `${what} above ${max}`) : crdtReject('malformed', `${what} is not positive`);
  if (typeof value !== 'number' || !Number.isInteger(value)) return crdtReject('malformed', `${what} is not an integer`);
  if (value < 1) return crdtReject('malformed', `${what} is not positive`);
  if (value > max) return crdtReject('limit', `${what} above ${max}`);
  return crdtOk(value);
}

export function addCount(counts: AuthorCounts, author: Uint8Array, amount: number): void {
  const key = idKey(author);
  const entry = counts.get(key);
  counts.set(key, { author: entry?.author ?? new Uint8Array(author), count: (entry?.count ?? 0n) + BigInt(amount) });
}

/** Pointwise maximum; the inputs are not changed. */
export function mergeCounts(a: AuthorCounts, b: AuthorCounts): AuthorCounts {
  const out: AuthorCounts = new Map(a);
  for (const [key, entry] of b) {
    const mine = out.get(key);
    if (mine === undefined || entry.count > mine.count) out.set(key, entry);
  }
  return out;
}

export function sumCounts(counts: AuthorCounts): bigint {
  let sum = 0n;
  for (const entry of counts.values()) sum += entry.count;
  return sum;
}

export function writeCounts(w: StateWriter, counts: AuthorCounts): void {
  const entries = [...counts.values()].sort((x, y) => compareIds(x.author, y.author));
  w.uint(entries.length);
  for (const e of entries) {
    w.raw(e.author);
    w.bigUint(e.count);
  }
}

/** Reads what `writeCounts` wrote; the caller's canonical re-encoding check catches order and duplicates. */
export function readCounts(r: StateReader, what: string): AuthorCounts {
  const n = r.count(`${what} authors`, BASIC_TYPE_LIMITS.maxStateEntries, AUTHOR_BYTES + 1);
  const counts: AuthorCounts = new Map();
  for (let i = 0; i < n; i++) {
    const author = r.fixed(`${what} author`, AUTHOR_BYTES);
    const count = r.bigUint(`${what} total`, BASIC_TYPE_LIMITS.maxCounterTotal);
    if (count === 0n) throw new SnapshotStop('malformed', `${what} total of 0 is never stored`);
    counts.set(idKey(author), { author, count });
  }
  return counts;
}
