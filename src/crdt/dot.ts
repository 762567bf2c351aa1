import { compareIds, idKey, VERTEX_LIMITS } from '../dag/index.ts';
import { CrdtArgumentError } from './argument-error.ts';
import { BASIC_TYPE_LIMITS } from './basic-limits.ts';
import type { OpOrigin } from './crdt-type.ts';
import { crdtOk, crdtReject, type CrdtResult } from './errors.ts';
import { SnapshotStop, type StateReader, type StateWriter } from './state-codec.ts';

/**
 * A dot names one operation: the id of the vertex that carried it and its index among that
 * vertex's operations. Vertex ids are content hashes, so a dot is unique without anyone
 * choosing it, and the receiver derives it from the vertex; a sender cannot pick another's.
 */
export interface Dot {
  readonly vertex: Uint8Array;
  readonly index: number;
}

/** A dot as it travels inside an operation: `[vertex id, index]`. */
export type DotTuple = readonly [Uint8Array, number];

const ID_BYTES = VERTEX_LIMITS.idBytes;

/** Bytes a dot takes in a snapshot at the least (32-byte id, one-byte index). */
export const MIN_DOT_BYTES = ID_BYTES + 1;

/** Throws unless `origin` is one that a stored vertex can have (a local caller's bug otherwise). */
export function checkOrigin(origin: OpOrigin): void {
  if (!(origin.author instanceof Uint8Array) || origin.author.length !== ID_BYTES) throw new CrdtArgumentError('origin author must be 32 bytes');
  if (!(origin.vertex instanceof Uint8Array) || origin.vertex.length !== ID_BYTES) throw new CrdtArgumentError('origin vertex must be 32 bytes');
  if (!Number.isSafeInteger(origin.lamport) || origin.lamport < 1) throw new CrdtArgumentError('origin lamport must be a positive safe integer');
  if (!Number.isSafeInteger(origin.index) || origin.index < 0 || origin.index > BASIC_TYPE_LIMITS.maxOpIndex) {
    throw new CrdtArgumentError(`origin index must be an integer from 0 to ${BASIC_TYPE_LIMITS.maxOpIndex}`);
  }
}

/** The dot of the operation at `origin` (its own copy of the vertex id). */
export function dotOf(origin: OpOrigin): Dot {
  return { vertex: new Uint8Array(origin.vertex), index: origin.index };
}

/** Map key of a dot. */
export function dotKey(dot: Dot): string {
  return `${idKey(dot.vertex)}.${dot.index}`;
}

/** Total order on dots: vertex id bytewise, then index. */
export function compareDots(a: Dot, b: Dot): number {
  return compareIds(a.vertex, b.vertex) || a.index - b.index;
}

/**
 * Dots as operations carry them: tuples in canonical (ascending) order, split into lists of at
 * most `maxDotsPerOp`. Always at least one (possibly empty) list, so a caller makes at least one
 * operation.
 */
export function dotTupleChunks(dots: Iterable<Dot>): DotTuple[][] {
  const tuples = [...dots].sort(compareDots).map((d) => [new Uint8Array(d.vertex), d.index] as const);
  const max = BASIC_TYPE_LIMITS.maxDotsPerOp;
  const out: DotTuple[][] = [];
  for (let i = 0; i === 0 || i < tuples.length; i += max) out.push(tuples.slice(i, i + max));
  return out;
}

/**
 * Reads the dot list of an encoded operation: an array of at most `maxDotsPerOp` pairs
 * `[32-byte id, index]`, strictly ascending (so each dot is named once and the encoding is
 * canonical). The length is checked before any entry is looked at.
 */
export function readDotTuples(value: unknown, what: string): CrdtResult<DotTuple[]> {
  if (!Array.isArray(value)) return crdtReject('malformed', `${what} is not an array`);
  const list = value as readonly unknown[];
  if (list.length > BASIC_TYPE_LIMITS.maxDotsPerOp) return crdtReject('limit', `${what} names ${list.length} dots, limit ${BASIC_TYPE_LIMITS.maxDotsPerOp}`);
  const out: DotTuple[] = [];
  let previous: Dot | undefined;
  for (const item of list) {
    if (!Array.isArray(item) || item.length !== 2) return crdtReject('malformed', `${what} entry is not a [vertex, index] pair`);
    const [vertex, index] = item as readonly unknown[];
    if (!(vertex instanceof Uint8Array) || vertex.length !== ID_BYTES) return crdtReject('malformed', `${what} vertex is not 32 bytes`);
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return crdtReject('malformed', `${what} index is not a non-negative integer`);
    if (index > BASIC_TYPE_LIMITS.maxOpIndex) return crdtReject('limit', `${what} index above ${BASIC_TYPE_LIMITS.maxOpIndex}`);
    const dot = { vertex, index };
    if (previous !== undefined && compareDots(previous, dot) >= 0) return crdtReject('malformed', `${what} is not strictly ascending`);
    previous = dot;
    out.push([new Uint8Array(vertex), index]);
  }
  return crdtOk(out);
}

export function dotOfTuple(t: DotTuple): Dot {
  return { vertex: t[0], index: t[1] };
}

export function writeDot(w: StateWriter, dot: Dot): void {
  w.raw(dot.vertex);
  w.uint(dot.index);
}

export function readDot(r: StateReader, what: string): Dot {
  const vertex = r.fixed(`${what} vertex`, ID_BYTES);
  const index = r.uint(`${what} index`, BASIC_TYPE_LIMITS.maxOpIndex, 'limit');
  return { vertex, index };
}

/** Reads `n` dots that must be strictly ascending. */
export function readAscendingDots(r: StateReader, n: number, what: string): Dot[] {
  const out: Dot[] = [];
  for (let i = 0; i < n; i++) {
    const dot = readDot(r, what);
    const prev = out[out.length - 1];
    if (prev !== undefined && compareDots(prev, dot) >= 0) throw new SnapshotStop('malformed', `${what} not strictly ascending`);
    out.push(dot);
  }
  return out;
}
