import { toHex } from '../crypto/index.ts';

/**
 * A vertex of a topic's DAG (format version 1). `parents` hold the 32-byte SHA3-256 digests of
 * the parent vertices (on the wire they are CIDv1 links), sorted ascending and unique.
 */
export interface VertexFields {
  readonly version: number;
  readonly topic: Uint8Array;
  readonly parents: readonly Uint8Array[];
  readonly lamport: number;
  readonly author: Uint8Array;
  readonly payload: Uint8Array;
}

export interface Vertex extends VertexFields {
  readonly sig: Uint8Array;
}

/**
 * A vertex as decoded from its canonical bytes: the fields, the bytes themselves, the id
 * (SHA3-256 of the bytes) and the span of the bytes that the signature covers.
 */
export interface DecodedVertex extends Vertex {
  readonly bytes: Uint8Array;
  /** SHA3-256 of `bytes`: the multihash digest inside the vertex CID. */
  readonly id: Uint8Array;
  /** Lower-case hex of `id`, the key used in maps and logs. */
  readonly key: string;
}

/** Map key of a 32-byte id. */
export function idKey(id: Uint8Array): string {
  return toHex(id);
}

/** Total order on ids: bytewise ascending. */
export function compareIds(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** The ids in ascending order with repeats removed (a new array; the ids themselves are not copied). */
export function sortedUniqueIds(ids: Iterable<Uint8Array>): Uint8Array[] {
  const sorted = [...ids].sort(compareIds);
  return sorted.filter((id, i) => i === 0 || compareIds(sorted[i - 1] as Uint8Array, id) !== 0);
}
