import { CrdtArgumentError } from './argument-error.ts';
import { addCount, checkStep, mergeCounts, readCounts, sumCounts, writeCounts, type AuthorCounts } from './author-counts.ts';
import type { CrdtType, OpOrigin } from './crdt-type.ts';
import { checkOrigin } from './dot.ts';
import { crdtOk, crdtReject, type CrdtResult } from './errors.ts';
import { readOpKind } from './op-kind.ts';
import { decodeSnapshot, snapshotWriter } from './state-codec.ts';

/** Grow-only counter: the total each author has added. Its value is the sum, as a bigint (totals pass 2^53). */
export interface GCounterState {
  readonly counts: AuthorCounts;
}

/** Adds `n` (an integer from 1 to 2^32) to the counter, credited to the operation's author. */
export interface GCounterOp {
  readonly k: 'gc.inc';
  readonly n: number;
}

export interface GCounterType extends CrdtType<GCounterState, GCounterOp, bigint> {
  /** The operation that adds `amount`; throws `CrdtArgumentError` unless it is an integer from 1 to 2^32. */
  increment(amount: number): GCounterOp;
}

function checkOp(value: unknown): CrdtResult<GCounterOp> {
  const read = readOpKind(value, 'g-counter', ['n']);
  if (!read.ok) return read;
  if (read.value.kind !== 'gc.inc') return crdtReject('malformed', `unknown g-counter operation ${read.value.kind}`);
  const n = checkStep(read.value.fields['n'], 'increment');
  if (!n.ok) return n;
  return crdtOk({ k: 'gc.inc', n: n.value });
}

function encodeState(state: GCounterState): Uint8Array {
  const w = snapshotWriter('g-counter');
  writeCounts(w, state.counts);
  return w.finish();
}

export const gCounter: GCounterType = Object.freeze({
  name: 'g-counter',

  create(): GCounterState {
    return { counts: new Map() };
  },

  increment(amount: number): GCounterOp {
    const op = checkOp({ k: 'gc.inc', n: amount });
    if (!op.ok) throw new CrdtArgumentError(op.detail);
    return op.value;
  },

  apply(state: GCounterState, op: GCounterOp, origin: OpOrigin): CrdtResult<void> {
    checkOrigin(origin);
    const checked = checkOp(op);
    if (!checked.ok) return checked;
    addCount(state.counts, origin.author, checked.value.n);
    return crdtOk(undefined);
  },

  merge(a: GCounterState, b: GCounterState): GCounterState {
    return { counts: mergeCounts(a.counts, b.counts) };
  },

  clone(state: GCounterState): GCounterState {
    return { counts: new Map(state.counts) };
  },

  value(state: GCounterState): bigint {
    return sumCounts(state.counts);
  },

  encodeOp(op: GCounterOp): unknown {
    return { k: op.k, n: op.n };
  },

  decodeOp(value: unknown): CrdtResult<GCounterOp> {
    return checkOp(value);
  },

  encodeState,

  decodeState(bytes: Uint8Array): CrdtResult<GCounterState> {
    return decodeSnapshot(bytes, 'g-counter', (r) => ({ counts: readCounts(r, 'g-counter') }), encodeState);
  },
});
