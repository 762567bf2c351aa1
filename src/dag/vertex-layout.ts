import type { DecodedLayout } from './codec.ts';
import { VERTEX_LIMITS, VERTEX_VERSION } from './limits.ts';
import { idKey, type DecodedVertex } from './vertex.ts';
import { LINK_BYTES } from './vertex-wire.ts';

/*
 * Where the fields of a decoded vertex sit in its bytes, as numbers that fit in a transferable
 * Float64Array. A verify worker decodes every vertex anyway; sending the field offsets back with
 * the id lets the main thread rebuild the vertex as views of bytes it already holds instead of
 * decoding it a second time. Float64 holds every Lamport clock up to 2^53 exactly.
 */

/** Numbers per vertex: sig start and end, topic, author, lamport, first parent id, parent count, payload start and end. */
export const LAYOUT_WORDS = 9;

/** Writes the layout of a decoded vertex at `out[at .. at + LAYOUT_WORDS)`. */
export function packLayout(layout: DecodedLayout, out: Float64Array, at: number): void {
  const v = layout.vertex;
  const base = v.bytes.byteOffset;
  out[at] = v.sig.byteOffset - base;
  out[at + 1] = layout.sigEnd;
  out[at + 2] = v.topic.byteOffset - base;
  out[at + 3] = v.author.byteOffset - base;
  out[at + 4] = v.lamport;
  out[at + 5] = v.parents.length > 0 ? (v.parents[0] as Uint8Array).byteOffset - base : 0;
  out[at + 6] = v.parents.length;
  out[at + 7] = v.payload.byteOffset - base;
  out[at + 8] = v.payload.byteOffset - base + v.payload.length;
}

/**
 * The vertex whose layout `packLayout` wrote, as views of `bytes` (which must be the very bytes
 * that were decoded, with `id` their verified hash). Only for bytes a verifier accepted: nothing
 * is checked again.
 */
export function vertexFromLayout(bytes: Uint8Array, id: Uint8Array, words: Float64Array, at: number): DecodedVertex {
  const w = (i: number): number => words[at + i] as number;
  const firstParent = w(5);
  const parents: Uint8Array[] = [];
  for (let i = 0; i < w(6); i++) {
    const start = firstParent + i * LINK_BYTES;
    parents.push(bytes.subarray(start, start + VERTEX_LIMITS.idBytes));
  }
  return {
    version: VERTEX_VERSION,
    topic: bytes.subarray(w(2), w(2) + VERTEX_LIMITS.topicBytes),
    parents,
    lamport: w(4),
    author: bytes.subarray(w(3), w(3) + VERTEX_LIMITS.authorBytes),
    payload: bytes.subarray(w(7), w(8)),
    sig: bytes.subarray(w(0), w(1)),
    bytes,
    id,
    key: idKey(id),
  };
}
