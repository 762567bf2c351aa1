import * as dagCbor from '@ipld/dag-cbor';
import { compareIds, idKey, type DecodedVertex, type Vertex, type VertexFields } from './vertex.ts';
import { VERTEX_CID_PREFIX, vertexCid } from './cid.ts';
import { VERTEX_LIMITS, VERTEX_VERSION } from './limits.ts';
import { reject, type Rejection, type RejectionReason } from './rejection.ts';
import { scanCanonicalVertex } from './vertex-scan.ts';
import { FIELD_ORDER, LINK_STRING_BYTES } from './vertex-wire.ts';

/*
 * Wire form of a vertex: one DAG-CBOR map (deterministic encoding: definite lengths, minimal
 * integer heads, keys sorted by length then bytes), so the bytes that sort in that order are
 *   sig, topic, author, lamport, parents, payload, version
 * Parents are CIDv1 links (tag 42). Encoding goes through @ipld/dag-cbor so the bytes are what
 * any IPLD tool produces; decoding reads exactly this layout instead of running a generic decode
 * and re-encode (every received vertex passes through it): a straight-line pass for canonical
 * bytes (vertex-scan.ts), else a strict parser that accepts a byte string only if re-encoding the
 * decoded value gives the same bytes, checks every length against VERTEX_LIMITS before it looks
 * further, and names what is wrong.
 */

type FieldName = (typeof FIELD_ORDER)[number];
const FIELD_INDEX: ReadonlyMap<string, number> = new Map(FIELD_ORDER.map((name, i) => [name, i]));

function toIpld(fields: VertexFields, sig?: Uint8Array): Record<string, unknown> {
  const value: Record<string, unknown> = {
    version: fields.version,
    topic: fields.topic,
    parents: fields.parents.map((p) => vertexCid(p)),
    lamport: fields.lamport,
    author: fields.author,
    payload: fields.payload,
  };
  if (sig !== undefined) value['sig'] = sig;
  return value;
}

/** Canonical bytes of a signed vertex. */
export function encodeVertex(vertex: Vertex): Uint8Array {
  return dagCbor.encode(toIpld(vertex, vertex.sig));
}

/** Canonical bytes of the unsigned fields: the message the author signs. */
export function encodeUnsigned(fields: VertexFields): Uint8Array {
  return dagCbor.encode(toIpld(fields));
}

export interface DecodedLayout {
  readonly vertex: Omit<DecodedVertex, 'id' | 'key'>;
  /** Offset in `vertex.bytes` just past the `sig` entry; see `signedMessageOf`. */
  readonly sigEnd: number;
}

/**
 * The message the author signed, recovered without re-encoding: `sig` sorts first, so the
 * unsigned map is the 6-entry map header followed by everything after the `sig` entry.
 */
export function signedMessageOf(layout: DecodedLayout): Uint8Array {
  const bytes = layout.vertex.bytes;
  const message = new Uint8Array(1 + bytes.length - layout.sigEnd);
  message[0] = 0xa6; // map of 6 entries
  message.set(bytes.subarray(layout.sigEnd), 1);
  return message;
}

export type DecodeResult = ({ readonly ok: true } & DecodedLayout) | Rejection;

class Stop {
  readonly reason: RejectionReason;
  readonly detail: string;
  constructor(reason: RejectionReason, detail: string) {
    this.reason = reason;
    this.detail = detail;
  }
}

class Reader {
  readonly bytes: Uint8Array;
  pos = 0;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Reads a CBOR head; rejects indefinite lengths and non-minimal heads as non-canonical. */
  head(): { major: number; value: number } {
    const initial = this.byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (info < 24) return { major, value: info };
    if (info === 31) throw new Stop('non-canonical', 'indefinite-length item');
    if (info > 27) throw new Stop('malformed', `reserved additional info ${info}`);
    const size = 1 << (info - 24);
    this.need(size);
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + (this.bytes[this.pos++] as number);
    const minimum = size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x10000 : 0x100000000;
    if (value < minimum) throw new Stop('non-canonical', 'integer or length not in its shortest form');
    // Beyond 2^53 - 1 the value is not exact; Infinity still fails every limit check that follows.
    return { major, value: value > Number.MAX_SAFE_INTEGER ? Infinity : value };
  }

  byte(): number {
    this.need(1);
    return this.bytes[this.pos++] as number;
  }

  need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new Stop('truncated', `input ends at byte ${this.bytes.length}, needed ${this.pos + n}`);
  }

  /** A byte string whose length is checked against `max` before it is sliced (no copy). */
  byteString(what: string, max: number, tooLarge: RejectionReason): Uint8Array {
    const { major, value } = this.head();
    if (major !== 2) throw new Stop('malformed', `${what} is not a byte string`);
    if (value > max) throw new Stop(tooLarge, `${what} is ${value} bytes, limit ${max}`);
    this.need(value);
    const out = this.bytes.subarray(this.pos, this.pos + value);
    this.pos += value;
    return out;
  }

  fixedBytes(what: string, size: number): Uint8Array {
    const out = this.byteString(what, Number.MAX_SAFE_INTEGER, 'bad-field-size');
    if (out.length !== size) throw new Stop('bad-field-size', `${what} is ${out.length} bytes, must be ${size}`);
    return out;
  }

  uint(what: string, max: number, tooLarge: RejectionReason): number {
    const { major, value } = this.head();
    if (major !== 0) throw new Stop('malformed', `${what} is not an unsigned integer`);
    if (value > max) throw new Stop(tooLarge, `${what} is above ${max}`);
    return value;
  }

  key(): string {
    const { major, value } = this.head();
    if (major !== 3) throw new Stop('malformed', 'map key is not a text string');
    if (value > 16) throw new Stop('malformed', 'unknown field');
    this.need(value);
    let s = '';
    for (let i = 0; i < value; i++) s += String.fromCharCode(this.bytes[this.pos++] as number);
    return s;
  }
}

function readParents(r: Reader): Uint8Array[] {
  const { major, value: count } = r.head();
  if (major !== 4) throw new Stop('malformed', 'parents is not an array');
  if (count > VERTEX_LIMITS.maxParents) throw new Stop('too-many-parents', `${count} parents, limit ${VERTEX_LIMITS.maxParents}`);
  const parents: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const tag = r.head();
    if (tag.major !== 6 || tag.value !== 42) throw new Stop('malformed', 'parent is not a CID link (tag 42)');
    const link = r.byteString('parent link', LINK_STRING_BYTES, 'malformed');
    if (link.length !== LINK_STRING_BYTES || link[0] !== 0) throw new Stop('malformed', 'parent link is not a 32-byte vertex CID');
    for (let j = 0; j < VERTEX_CID_PREFIX.length; j++) {
      if (link[1 + j] !== VERTEX_CID_PREFIX[j]) throw new Stop('malformed', 'parent link is not a CIDv1 dag-cbor sha3-256');
    }
    const id = link.subarray(1 + VERTEX_CID_PREFIX.length);
    const previous = parents[i - 1];
    if (previous !== undefined) {
      const order = compareIds(previous, id);
      if (order === 0) throw new Stop('duplicate-parents', 'the same parent is named twice');
      if (order > 0) throw new Stop('unsorted-parents', 'parents are not sorted ascending');
    }
    parents.push(id);
  }
  return parents;
}

/**
 * Decodes bytes whose id is already established (a store row, a batch the verifiers checked),
 * without hashing them again. Only for bytes that were validated on their way in.
 */
export function decodeWithId(bytes: Uint8Array, id: Uint8Array): { readonly ok: true; readonly vertex: DecodedVertex } | Rejection {
  const d = decodeVertex(bytes);
  return d.ok ? { ok: true, vertex: { ...d.vertex, id, key: idKey(id) } } : d;
}

/**
 * Decodes canonical vertex bytes. Never throws on bad input: every failure is a typed Rejection.
 * Decoding checks structure, sizes and canonical form; signatures and ids are checked by
 * `validateVertex`, Lamport clocks and parents by the DAG.
 */
export function decodeVertex(bytes: Uint8Array): DecodeResult {
  if (!(bytes instanceof Uint8Array)) return reject('malformed', 'input is not a byte array');
  if (bytes.length > VERTEX_LIMITS.maxVertexBytes) {
    return reject('vertex-too-large', `vertex is ${bytes.length} bytes, limit ${VERTEX_LIMITS.maxVertexBytes}`);
  }
  return scanCanonicalVertex(bytes) ?? parseVertex(bytes);
}

/**
 * The general parser behind `decodeVertex`: it reads any layout far enough to name what is wrong.
 * Exported for the test that checks it accepts exactly what the fast path accepts.
 */
export function parseVertex(bytes: Uint8Array): DecodeResult {
  const r = new Reader(bytes);
  try {
    const map = r.head();
    if (map.major !== 5) throw new Stop('malformed', 'vertex is not a map');
    if (map.value !== FIELD_ORDER.length) throw new Stop('malformed', `vertex has ${map.value} fields, expected ${FIELD_ORDER.length}`);
    const seen: Partial<Record<FieldName, unknown>> = {};
    let sigEnd = 0;
    let lastIndex = -1;
    let outOfOrder = false;
    for (let i = 0; i < FIELD_ORDER.length; i++) {
      const name = r.key();
      const index = FIELD_INDEX.get(name);
      if (index === undefined) throw new Stop('malformed', 'unknown field');
      const field = FIELD_ORDER[index] as FieldName;
      if (field in seen) throw new Stop('malformed', `field ${field} appears twice`);
      if (index < lastIndex) outOfOrder = true;
      lastIndex = index;
      switch (field) {
        case 'sig':
          seen.sig = r.byteString('sig', VERTEX_LIMITS.maxVertexBytes, 'vertex-too-large');
          sigEnd = r.pos;
          break;
        case 'topic':
          seen.topic = r.fixedBytes('topic', VERTEX_LIMITS.topicBytes);
          break;
        case 'author':
          seen.author = r.fixedBytes('author', VERTEX_LIMITS.authorBytes);
          break;
        case 'lamport':
          seen.lamport = r.uint('lamport', VERTEX_LIMITS.maxLamport, 'lamport-out-of-range');
          break;
        case 'parents':
          seen.parents = readParents(r);
          break;
        case 'payload':
          seen.payload = r.byteString('payload', VERTEX_LIMITS.maxPayloadBytes, 'payload-too-large');
          break;
        case 'version': {
          const version = r.uint('version', Number.MAX_SAFE_INTEGER, 'unknown-version');
          if (version !== VERTEX_VERSION) throw new Stop('unknown-version', `version ${version}, this node reads ${VERTEX_VERSION}`);
          seen.version = version;
          break;
        }
      }
    }
    if (r.pos !== bytes.length) throw new Stop('malformed', `${bytes.length - r.pos} bytes after the vertex`);
    if (outOfOrder) throw new Stop('non-canonical', 'fields are not in canonical order');
    const lamport = seen.lamport as number;
    if (lamport < 1) throw new Stop('lamport-out-of-range', 'lamport must be at least 1');
    return {
      ok: true,
      vertex: {
        version: seen.version as number,
        topic: seen.topic as Uint8Array,
        parents: seen.parents as Uint8Array[],
        lamport,
        author: seen.author as Uint8Array,
        payload: seen.payload as Uint8Array,
        sig: seen.sig as Uint8Array,
        bytes,
      },
      sigEnd,
    };
  } catch (error) {
    if (error instanceof Stop) return reject(error.reason, error.detail);
    throw error;
  }
}
