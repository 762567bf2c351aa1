import type { CrdtType, OpOrigin } from './crdt-type.ts';
import { checkOrigin, dotOf, dotOfTuple, dotTupleChunks, readDotTuples, type DotTuple } from './dot.ts';
import { addLive, cloneDotStore, createDotStore, liveValues, mergeDotStores, readDotStore, removeDot, writeDotStore, type DotStore } from './dot-store.ts';
import { crdtOk, crdtReject, type CrdtResult } from './errors.ts';
import { readOpKind } from './op-kind.ts';
import { checkScalar, exportScalar, localScalar, type Scalar } from './scalar.ts';
import { decodeSnapshot, snapshotWriter } from './state-codec.ts';

/**
 * Multi-value register: a write replaces the writes its author had observed, so writes made
 * concurrently all survive and the value is every one of them (distinct values, canonical
 * order), until a write that observed them all replaces them. Same state as the OR-Set
 * (`dot-store.ts`): live writes by dot plus the dots that later writes superseded.
 */
export interface MVRegisterState {
  readonly store: DotStore;
}

/** Writes `v` under the operation's own dot and supersedes the dots in `d` (strictly ascending, at most 1,024). */
export interface MVRegisterOp {
  readonly k: 'mv.set';
  readonly v: Scalar;
  readonly d: readonly DotTuple[];
}

export interface MVRegisterType extends CrdtType<MVRegisterState, MVRegisterOp, Scalar[]> {
  /**
   * The operations that write `value` over everything `state` (not changed) holds. One, unless
   * more writes are live than one operation may name; then each carries `value` and a share of
   * the dots, and together they leave `value` alone. Throws `CrdtArgumentError` for a value
   * outside the scalar model.
   */
  write(state: MVRegisterState, value: Scalar): MVRegisterOp[];
}

function checkOp(value: unknown): CrdtResult<MVRegisterOp> {
  const read = readOpKind(value, 'mv-register', ['v', 'd']);
  if (!read.ok) return read;
  const { kind, fields } = read.value;
  if (kind !== 'mv.set') return crdtReject('malformed', `unknown mv-register operation ${kind}`);
  const v = checkScalar(fields['v']);
  if (!v.ok) return v;
  const d = readDotTuples(fields['d'], 'superseded dots');
  if (!d.ok) return d;
  return crdtOk({ k: kind, v: v.value, d: d.value });
}

function encodeState(state: MVRegisterState): Uint8Array {
  const w = snapshotWriter('mv-register');
  writeDotStore(w, state.store);
  return w.finish();
}

export const mvRegister: MVRegisterType = Object.freeze({
  name: 'mv-register',

  create(): MVRegisterState {
    return { store: createDotStore() };
  },

  write(state: MVRegisterState, value: Scalar): MVRegisterOp[] {
    const v = localScalar(value);
    return dotTupleChunks([...state.store.live.values()].map((e) => e.dot)).map((d) => ({ k: 'mv.set', v, d }));
  },

  apply(state: MVRegisterState, op: MVRegisterOp, origin: OpOrigin): CrdtResult<void> {
    checkOrigin(origin);
    const checked = checkOp(op);
    if (!checked.ok) return checked;
    for (const t of checked.value.d) removeDot(state.store, dotOfTuple(t));
    addLive(state.store, dotOf(origin), checked.value.v);
    return crdtOk(undefined);
  },

  merge(a: MVRegisterState, b: MVRegisterState): MVRegisterState {
    return { store: mergeDotStores(a.store, b.store) };
  },

  clone(state: MVRegisterState): MVRegisterState {
    return { store: cloneDotStore(state.store) };
  },

  value(state: MVRegisterState): Scalar[] {
    return liveValues(state.store).map(exportScalar);
  },

  encodeOp(op: MVRegisterOp): unknown {
    return { k: op.k, v: op.v, d: op.d.map((t) => [t[0], t[1]]) };
  },

  decodeOp(value: unknown): CrdtResult<MVRegisterOp> {
    return checkOp(value);
  },

  encodeState,

  decodeState(bytes: Uint8Array): CrdtResult<MVRegisterState> {
    return decodeSnapshot(bytes, 'mv-register', (r) => ({ store: readDotStore(r, 'mv-register') }), encodeState);
  },
});
