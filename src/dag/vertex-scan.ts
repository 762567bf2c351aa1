import type { DecodedLayout } from './codec.ts';
import { compareIds } from './vertex.ts';
import { VERTEX_LIMITS, VERTEX_VERSION } from './limits.ts';
import { FIELD_ORDER, LINK_BYTES, LINK_HEAD } from './vertex-wire.ts';

/*
 * The fast path of `decodeVertex`: reads bytes laid out exactly as a canonical vertex is, in one
 * straight pass, with no strings, no maps and no exceptions. It answers only "this is a canonical
 * vertex, here are its fields" or "not on the fast path"; every byte string it does not accept
 * goes to the general parser, which finds the typed reason. So the two can never disagree on a
 * rejection, and a test checks that they agree on every acceptance.
 *
 * Every received vertex is decoded at least twice (by the sync session on the main thread, and
 * by a verify worker), so this is on the path that bounds ingest throughput.
 */

/** Canonical map keys in order: text-string head, then the ASCII name. */
const [SIG, TOPIC, AUTHOR, LAMPORT, PARENTS, PAYLOAD, VERSION] = FIELD_ORDER.map((name) =>
  Uint8Array.from([0x60 + name.length, ...[...name].map((c) => c.charCodeAt(0))]),
) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];

/** Read position of the scan in progress (the scan is synchronous and never re-entered). */
let pos = 0;

/** The value of a shortest-form head of `major` at `pos` (advancing past it), or -1. */
function head(b: Uint8Array, major: number): number {
  if (pos >= b.length) return -1;
  const initial = b[pos] as number;
  if (initial >> 5 !== major) return -1;
  const info = initial & 0x1f;
  if (info < 24) {
    pos += 1;
    return info;
  }
  if (info === 24) {
    if (pos + 2 > b.length || (b[pos + 1] as number) < 24) return -1;
    pos += 2;
    return b[pos - 1] as number;
  }
  if (info === 25) {
    if (pos + 3 > b.length) return -1;
    const v = ((b[pos + 1] as number) << 8) | (b[pos + 2] as number);
    if (v < 0x100) return -1;
    pos += 3;
    return v;
  }
  if (info === 26) {
    if (pos + 5 > b.length) return -1;
    const v = ((b[pos + 1] as number) * 0x1000000 + (((b[pos + 2] as number) << 16) | ((b[pos + 3] as number) << 8) | (b[pos + 4] as number))) >>> 0;
    if (v < 0x10000) return -1;
    pos += 5;
    return v;
  }
  // 8-byte heads (Lamport clocks of 2^32 and above) are left to the general parser.
  return -1;
}

/** Whether `expected` is at `pos` (advancing past it). */
function literal(b: Uint8Array, expected: Uint8Array): boolean {
  if (pos + expected.length > b.length) return false;
  for (let i = 0; i < expected.length; i++) if (b[pos + i] !== expected[i]) return false;
  pos += expected.length;
  return true;
}

/** A byte string of at most `max` bytes at `pos` as a view (advancing past it), or undefined. */
function byteString(b: Uint8Array, max: number): Uint8Array | undefined {
  const n = head(b, 2);
  if (n < 0 || n > max || pos + n > b.length) return undefined;
  pos += n;
  return b.subarray(pos - n, pos);
}

function parents(b: Uint8Array): Uint8Array[] | undefined {
  const count = head(b, 4);
  if (count < 0 || count > VERTEX_LIMITS.maxParents || pos + count * LINK_BYTES > b.length) return undefined;
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    if (!literal(b, LINK_HEAD)) return undefined;
    const id = b.subarray(pos, pos + VERTEX_LIMITS.idBytes);
    pos += VERTEX_LIMITS.idBytes;
    if (i > 0 && compareIds(out[i - 1] as Uint8Array, id) >= 0) return undefined;
    out.push(id);
  }
  return out;
}

/**
 * The fields of `b` if it is a canonical vertex within the limits; undefined for anything else.
 * The total size is `decodeVertex`'s to check, before it calls this.
 */
export function scanCanonicalVertex(b: Uint8Array): ({ readonly ok: true } & DecodedLayout) | undefined {
  pos = 0;
  if (head(b, 5) !== FIELD_ORDER.length || !literal(b, SIG)) return undefined;
  const sig = byteString(b, VERTEX_LIMITS.maxVertexBytes);
  if (sig === undefined) return undefined;
  const sigEnd = pos;
  if (!literal(b, TOPIC)) return undefined;
  const topic = byteString(b, VERTEX_LIMITS.topicBytes);
  if (topic === undefined || topic.length !== VERTEX_LIMITS.topicBytes || !literal(b, AUTHOR)) return undefined;
  const author = byteString(b, VERTEX_LIMITS.authorBytes);
  if (author === undefined || author.length !== VERTEX_LIMITS.authorBytes || !literal(b, LAMPORT)) return undefined;
  const lamport = head(b, 0);
  if (lamport < 1 || !literal(b, PARENTS)) return undefined;
  const links = parents(b);
  if (links === undefined || !literal(b, PAYLOAD)) return undefined;
  const payload = byteString(b, VERTEX_LIMITS.maxPayloadBytes);
  if (payload === undefined || !literal(b, VERSION) || head(b, 0) !== VERTEX_VERSION || pos !== b.length) return undefined;
  return { ok: true, vertex: { version: VERTEX_VERSION, topic, parents: links, lamport, author, payload, sig, bytes: b }, sigEnd };
}
