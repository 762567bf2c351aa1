import { compareIds } from '../dag/index.ts';
import type { CrdtType, OpOrigin } from './crdt-type.ts';
import { checkOrigin, readDot, writeDot } from './dot.ts';
import { crdtOk, crdtReject, type CrdtResult } from './errors.ts';
import { readOpKind } from './op-kind.ts';
import { checkScalar, compareScalars, exportScalar, localScalar, readScalar, writeScalar, type Scalar } from './scalar.ts';
import { decodeSnapshot, snapshotWriter, SnapshotStop } from './state-codec.ts';

/**
 * When a write happened, from its origin: compared by Lamport clock, then author id, then vertex
 * id, then index. A Lamport tie between authors goes to the larger author id; the vertex id and
 * index only separate writes of one author with one clock (a forked author, or several writes
 * in one vertex, where the later index wins). Every operation has a distinct stamp, so the order
 * is total and every replica picks the same winner.
 */
export interface LwwStamp {
  readonly lamport: number;
  readonly author: Uint8Array;
  readonly vertex: Uint8Array;
  readonly index: number;
}

/** Last-writer-wins register of a scalar: the write with the greatest stamp. `undefined` before any write. */
export interface LwwRegisterState {
  current: { readonly stamp: LwwStamp; readonly value: Scalar } | undefined;
}

/** Writes `v`. */
export interface LwwRegisterOp {
  readonly k: 'lww.set';
  readonly v: Scalar;
}

export interface LwwRegisterType extends CrdtType<LwwRegisterState, LwwRegisterOp, Scalar | undefined> {
  /** The operation that writes `value`; throws `CrdtArgumentError` for a value outside the scalar model. */
  write(value: Scalar): LwwRegisterOp;
  /** The stamp of the winning write, if any. */
  stamp(state: LwwRegisterState): LwwStamp | undefined;
}

export function compareStamps(a: LwwStamp, b: LwwStamp): number {
  return a.lamport - b.lamport || compareIds(a.author, b.author) || compareIds(a.vertex, b.vertex) || a.index - b.index;
}

function checkOp(value: unknown): CrdtResult<LwwRegisterOp> {
  const read = readOpKind(value, 'lww-register', ['v']);
  if (!read.ok) return read;
  if (read.value.kind !== 'lww.set') return crdtReject('malformed', `unknown lww-register operation ${read.value.kind}`);
  const v = checkScalar(read.value.fields['v']);
  if (!v.ok) return v;
  return crdtOk({ k: 'lww.set', v: v.value });
}

type Current = LwwRegisterState['current'];

/** The winner of two writes. Equal stamps only come from forged snapshots; the smaller value wins then, to stay a join. */
function later(a: Current, b: Current): Current {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const c = compareStamps(a.stamp, b.stamp);
  if (c !== 0) return c > 0 ? a : b;
  return compareScalars(a.value, b.value) <= 0 ? a : b;
}

function encodeState(state: LwwRegisterState): Uint8Array {
  const w = snapshotWriter('lww-register');
  const cur = state.current;
  if (cur === undefined) {
    w.byte(0);
  } else {
    w.byte(1);
    w.uint(cur.stamp.lamport);
    w.raw(cur.stamp.author);
    writeDot(w, cur.stamp);
    writeScalar(w, cur.value);
  }
  return w.finish();
}

export const lwwRegister: LwwRegisterType = Object.freeze({
  name: 'lww-register',

  create(): LwwRegisterState {
    return { current: undefined };
  },

  write(value: Scalar): LwwRegisterOp {
    return { k: 'lww.set', v: localScalar(value) };
  },

  stamp(state: LwwRegisterState): LwwStamp | undefined {
    return state.current?.stamp;
  },

  apply(state: LwwRegisterState, op: LwwRegisterOp, origin: OpOrigin): CrdtResult<void> {
    checkOrigin(origin);
    const checked = checkOp(op);
    if (!checked.ok) return checked;
    const stamp = { lamport: origin.lamport, author: new Uint8Array(origin.author), vertex: new Uint8Array(origin.vertex), index: origin.index };
    state.current = later(state.current, { stamp, value: checked.value.v });
    return crdtOk(undefined);
  },

  merge(a: LwwRegisterState, b: LwwRegisterState): LwwRegisterState {
    return { current: later(a.current, b.current) };
  },

  clone(state: LwwRegisterState): LwwRegisterState {
    return { current: state.current };
  },

  value(state: LwwRegisterState): Scalar | undefined {
    return state.current === undefined ? undefined : exportScalar(state.current.value);
  },

  encodeOp(op: LwwRegisterOp): unknown {
    return { k: op.k, v: op.v };
  },

  decodeOp(value: unknown): CrdtResult<LwwRegisterOp> {
    return checkOp(value);
  },

  encodeState,

  decodeState(bytes: Uint8Array): CrdtResult<LwwRegisterState> {
    return decodeSnapshot(
      bytes,
      'lww-register',
      (r) => {
        const flag = r.byte('lww-register flag');
        if (flag === 0) return { current: undefined };
        if (flag !== 1) throw new SnapshotStop('malformed', 'lww-register flag is not 0 or 1');
        const lamport = r.uint('lww-register lamport', Number.MAX_SAFE_INTEGER, 'malformed');
        if (lamport < 1) throw new SnapshotStop('malformed', 'lww-register lamport is 0');
        const author = r.fixed('lww-register author', 32);
        const dot = readDot(r, 'lww-register write');
        const value = readScalar(r, 'lww-register value');
        return { current: { stamp: { lamport, author, vertex: dot.vertex, index: dot.index }, value } };
      },
      encodeState,
    );
  },
});
