import type { CrdtResult } from './errors.ts';

/** The seven PIP-1 types. The names are wire values: never rename one. */
export type CrdtTypeName = 'g-counter' | 'pn-counter' | 'g-set' | 'or-set' | 'lww-register' | 'mv-register' | 'rga';

export const CRDT_TYPE_NAMES: readonly CrdtTypeName[] = Object.freeze([
  'g-counter',
  'pn-counter',
  'g-set',
  'or-set',
  'lww-register',
  'mv-register',
  'rga',
]);

/**
 * Where an operation came from: the vertex that carried it and its index in that vertex's list of
 * operations. Unique per operation, so types derive tags, dots and timestamps from it instead of
 * trusting ids chosen by the sender.
 */
export interface OpOrigin {
  /** 32-byte node id of the vertex author. */
  readonly author: Uint8Array;
  /** The vertex's Lamport clock. */
  readonly lamport: number;
  /** 32-byte id of the vertex. */
  readonly vertex: Uint8Array;
  /** Index of the operation within the vertex's operations (0-based). */
  readonly index: number;
}

/**
 * One CRDT type in both of its forms.
 *
 * Operation-based: `apply` takes one operation, delivered in the DAG's causal order (each
 * operation after every operation of its vertex's ancestors, each exactly once) and mutates the
 * state in place. A refused operation leaves the state exactly as it was.
 *
 * State-based: `merge` is a join: commutative, associative and idempotent, and it never mutates
 * its inputs. Applying a set of operations to one replica and merging the states of replicas that
 * each applied a part of them reach the same `encodeState` bytes.
 *
 * Operations travel as plain CBOR-ready values (`encodeOp` / `decodeOp`) inside a vertex payload;
 * snapshots travel and persist as bytes (`encodeState` / `decodeState`). `encodeState` is canonical:
 * equal states give equal bytes, which is what "byte-identical to a rebuild" is checked with.
 * Decoders check every limit before allocating.
 */
export interface CrdtType<State, Op, Value> {
  readonly name: CrdtTypeName;
  create(): State;
  apply(state: State, op: Op, origin: OpOrigin): CrdtResult<void>;
  merge(a: State, b: State): State;
  clone(state: State): State;
  value(state: State): Value;
  encodeOp(op: Op): unknown;
  decodeOp(value: unknown): CrdtResult<Op>;
  encodeState(state: State): Uint8Array;
  decodeState(bytes: Uint8Array): CrdtResult<State>;
}
