import { BASIC_TYPE_LIMITS } from './basic-limits.ts';
import type { CrdtType, OpOrigin } from './crdt-type.ts';
import { checkOrigin } from './dot.ts';
import { crdtOk, crdtReject, type CrdtResult } from './errors.ts';
import { readOpKind } from './op-kind.ts';
import { checkScalar, compareScalars, exportScalar, localScalar, MIN_SCALAR_BYTES, readScalar, scalarKey, writeScalar, type Scalar } from './scalar.ts';
import { decodeSnapshot, snapshotWriter } from './state-codec.ts';

/** Grow-only set of scalars, keyed by `scalarKey`. Its value lists the elements in canonical order. */
export interface GSetState {
  readonly elements: Map<string, Scalar>;
}

/** Adds `v` to the set. */
export interface GSetOp {
  readonly k: 'gs.add';
  readonly v: Scalar;
}

export interface GSetType extends CrdtType<GSetState, GSetOp, Scalar[]> {
  /** The operation that adds `value`; throws `CrdtArgumentError` for a value outside the scalar model. */
  add(value: Scalar): GSetOp;
  /** Whether `value` is in the set. */
  has(state: GSetState, value: Scalar): boolean;
}

function checkOp(value: unknown): CrdtResult<GSetOp> {
  const read = readOpKind(value, 'g-set', ['v']);
  if (!read.ok) return read;
  if (read.value.kind !== 'gs.add') return crdtReject('malformed', `unknown g-set operation ${read.value.kind}`);
  const v = checkScalar(read.value.fields['v']);
  if (!v.ok) return v;
  return crdtOk({ k: 'gs.add', v: v.value });
}

function encodeState(state: GSetState): Uint8Array {
  const w = snapshotWriter('g-set');
  const values = [...state.elements.values()].sort(compareScalars);
  w.uint(values.length);
  for (const v of values) writeScalar(w, v);
  return w.finish();
}

export const gSet: GSetType = Object.freeze({
  name: 'g-set',

  create(): GSetState {
    return { elements: new Map() };
  },

  add(value: Scalar): GSetOp {
    return { k: 'gs.add', v: localScalar(value) };
  },

  has(state: GSetState, value: Scalar): boolean {
    return state.elements.has(scalarKey(value));
  },

  apply(state: GSetState, op: GSetOp, origin: OpOrigin): CrdtResult<void> {
    checkOrigin(origin);
    const checked = checkOp(op);
    if (!checked.ok) return checked;
    const key = scalarKey(checked.value.v);
    if (!state.elements.has(key)) state.elements.set(key, checked.value.v);
    return crdtOk(undefined);
  },

  merge(a: GSetState, b: GSetState): GSetState {
    const elements = new Map(a.elements);
    for (const [key, v] of b.elements) if (!elements.has(key)) elements.set(key, v);
    return { elements };
  },

  clone(state: GSetState): GSetState {
    return { elements: new Map(state.elements) };
  },

  value(state: GSetState): Scalar[] {
    return [...state.elements.values()].sort(compareScalars).map(exportScalar);
  },

  encodeOp(op: GSetOp): unknown {
    return { k: op.k, v: op.v };
  },

  decodeOp(value: unknown): CrdtResult<GSetOp> {
    return checkOp(value);
  },

  encodeState,

  decodeState(bytes: Uint8Array): CrdtResult<GSetState> {
    return decodeSnapshot(
      bytes,
      'g-set',
      (r) => {
        const n = r.count('g-set elements', BASIC_TYPE_LIMITS.maxStateEntries, MIN_SCALAR_BYTES);
        const elements = new Map<string, Scalar>();
        for (let i = 0; i < n; i++) {
          const v = readScalar(r, 'g-set element');
          elements.set(scalarKey(v), v);
        }
        return { elements };
      },
      encodeState,
    );
  },
});
