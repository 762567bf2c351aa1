import { CrdtArgumentError } from './argument-error.ts';
import { addCount, checkStep, mergeCounts, readCounts, sumCounts, writeCounts, type AuthorCounts } from './author-counts.ts';
import type { CrdtType, OpOrigin } from './crdt-type.ts';
import { checkOrigin } from './dot.ts';
import { crdtOk, crdtReject, type CrdtResult } from './errors.ts';
import { readOpKind } from './op-kind.ts';
import { decodeSnapshot, snapshotWriter } from './state-codec.ts';

/**
 * Counter that goes both ways: two grow-only counters, one of increments (`p`) and one of
 * decrements (`n`). Its value is p − n, a bigint that may be negative.
 */
export interface PNCounterState {
  readonly p: AuthorCounts;
  readonly n: AuthorCounts;
}

/** Adds (`pn.inc`) or subtracts (`pn.dec`) `n`, an integer from 1 to 2^32. */
export interface PNCounterOp {
  readonly k: 'pn.inc' | 'pn.dec';
  readonly n: number;
}

export interface PNCounterType extends CrdtType<PNCounterState, PNCounterOp, bigint> {
  /** The operation that adds `amount`; throws `CrdtArgumentError` unless it is an integer from 1 to 2^32. */
  increment(amount: number): PNCounterOp;
  /** The operation that subtracts `amount`; same bounds as `increment`. */
  decrement(amount: number): PNCounterOp;
}

function checkOp(value: unknown): CrdtResult<PNCounterOp> {
  const read = readOpKind(value, 'pn-counter', ['n']);
  if (!read.ok) return read;
  const kind = read.value.kind;
  if (kind !== 'pn.inc' && kind !== 'pn.dec') return crdtReject('malformed', `unknown pn-counter operation ${kind}`);
  const n = checkStep(read.value.fields['n'], kind === 'pn.inc' ? 'increment' : 'decrement');
  if (!n.ok) return n;
  return crdtOk({ k: kind, n: n.value });
}

function local(k: PNCounterOp['k'], amount: number): PNCounterOp {
  const op = checkOp({ k, n: amount });
  if (!op.ok) throw new CrdtArgumentError(op.detail);
  return op.value;
}

function encodeState(state: PNCounterState): Uint8Array {
  const w = snapshotWriter('pn-counter');
  writeCounts(w, state.p);
  writeCounts(w, state.n);
  return w.finish();
}

export const pnCounter: PNCounterType = Object.freeze({
  name: 'pn-counter',

  create(): PNCounterState {
    return { p: new Map(), n: new Map() };
  },

  increment(amount: number): PNCounterOp {
    return local('pn.inc', amount);
  },

  decrement(amount: number): PNCounterOp {
    return local('pn.dec', amount);
  },

  apply(state: PNCounterState, op: PNCounterOp, origin: OpOrigin): CrdtResult<void> {
    checkOrigin(origin);
    const checked = checkOp(op);
    if (!checked.ok) return checked;
    addCount(checked.value.k === 'pn.inc' ? state.p : state.n, origin.author, checked.value.n);
    return crdtOk(undefined);
  },

  merge(a: PNCounterState, b: PNCounterState): PNCounterState {
    return { p: mergeCounts(a.p, b.p), n: mergeCounts(a.n, b.n) };
  },

  clone(state: PNCounterState): PNCounterState {
    return { p: new Map(state.p), n: new Map(state.n) };
  },

  value(state: PNCounterState): bigint {
    return sumCounts(state.p) - sumCounts(state.n);
  },

  encodeOp(op: PNCounterOp): unknown {
    return { k: op.k, n: op.n };
  },

  decodeOp(value: unknown): CrdtResult<PNCounterOp> {
    return checkOp(value);
  },

  encodeState,

  decodeState(bytes: Uint8Array): CrdtResult<PNCounterState> {
    return decodeSnapshot(bytes, 'pn-counter', (r) => ({ p: readCounts(r, 'increments'), n: readCounts(r, 'decrements') }), encodeState);
  },
});
