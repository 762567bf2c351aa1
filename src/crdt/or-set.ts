import type { CrdtType, OpOrigin } from './crdt-type.ts';
import { checkOrigin, dotOf, dotOfTuple, dotTupleChunks, readDotTuples, type DotTuple } from './dot.ts';
import { addLive, cloneDotStore, createDotStore, dotsOfValue, liveValues, mergeDotStores, readDotStore, removeDot, writeDotStore, type DotStore } from './dot-store.ts';
import { crdtOk, crdtReject, type CrdtResult } from './errors.ts';
import { readOpKind } from './op-kind.ts';
import { checkScalar, exportScalar, localScalar, scalarKey, type Scalar } from './scalar.ts';
import { decodeSnapshot, snapshotWriter } from './state-codec.ts';

/**
 * Add-wins observed-remove set of scalars. Each add is tagged with the dot of its operation,
 * taken from the vertex that carried it; a remove names the dots its author had observed for
 * the element, so an add concurrent with a remove (whose dot the remover could not name)
 * survives it. See `dot-store.ts` for the state and why removed dots are kept.
 */
export interface ORSetState {
  readonly store: DotStore;
}

/**
 * `ors.add`: adds `v` under the operation's own dot and removes the dots in `d` (the dots of
 * `v` its author had observed, so an element re-added many times keeps one live dot).
 * `ors.rm`: removes the dots in `d`. Dot lists are strictly ascending, at most 1,024 long.
 */
export type ORSetOp = { readonly k: 'ors.add'; readonly v: Scalar; readonly d: readonly DotTuple[] } | { readonly k: 'ors.rm'; readonly d: readonly DotTuple[] };

export interface ORSetType extends CrdtType<ORSetState, ORSetOp, Scalar[]> {
  /**
   * The operations that add `value` as seen from `state` (not changed). Usually one; more only
   * when `value` has more live dots than one operation may name. Throws `CrdtArgumentError` for a
   * value outside the scalar model.
   */
  add(state: ORSetState, value: Scalar): ORSetOp[];
  /** The operations that remove `value` as seen from `state`: none if it is absent, else usually one. */
  remove(state: ORSetState, value: Scalar): ORSetOp[];
  has(state: ORSetState, value: Scalar): boolean;
}

function checkOp(value: unknown): CrdtResult<ORSetOp> {
  const read = readOpKind(value, 'or-set', ['v', 'd']);
  if (!read.ok) return read;
  const { kind, fields } = read.value;
  if (kind !== 'ors.add' && kind !== 'ors.rm') return crdtReject('malformed', `unknown or-set operation ${kind}`);
  const d = readDotTuples(fields['d'], 'observed dots');
  if (!d.ok) return d;
  if (kind === 'ors.rm') {
    if ('v' in fields) return crdtReject('malformed', 'or-set remove carries a value');
    return crdtOk({ k: kind, d: d.value });
  }
  const v = checkScalar(fields['v']);
  if (!v.ok) return v;
  return crdtOk({ k: kind, v: v.value, d: d.value });
}

function encodeState(state: ORSetState): Uint8Array {
  const w = snapshotWriter('or-set');
  writeDotStore(w, state.store);
  return w.finish();
}

export const orSet: ORSetType = Object.freeze({
  name: 'or-set',

  create(): ORSetState {
    return { store: createDotStore() };
  },

  add(state: ORSetState, value: Scalar): ORSetOp[] {
    const v = localScalar(value);
    return dotTupleChunks(dotsOfValue(state.store, v)).map((d) => ({ k: 'ors.add', v, d }));
  },

  remove(state: ORSetState, value: Scalar): ORSetOp[] {
    const dots = dotsOfValue(state.store, localScalar(value));
    if (dots.length === 0) return [];
    return dotTupleChunks(dots).map((d) => ({ k: 'ors.rm', d }));
  },

  has(state: ORSetState, value: Scalar): boolean {
    return state.store.byValue.has(scalarKey(value));
  },

  apply(state: ORSetState, op: ORSetOp, origin: OpOrigin): CrdtResult<void> {
    checkOrigin(origin);
    const checked = checkOp(op);
    if (!checked.ok) return checked;
    // Removals first: the live set is every add minus every named dot, whatever the order.
    for (const t of checked.value.d) removeDot(state.store, dotOfTuple(t));
    if (checked.value.k === 'ors.add') addLive(state.store, dotOf(origin), checked.value.v);
    return crdtOk(undefined);
  },

  merge(a: ORSetState, b: ORSetState): ORSetState {
    return { store: mergeDotStores(a.store, b.store) };
  },

  clone(state: ORSetState): ORSetState {
    return { store: cloneDotStore(state.store) };
  },

  value(state: ORSetState): Scalar[] {
    return liveValues(state.store).map(exportScalar);
  },

  encodeOp(op: ORSetOp): unknown {
    const d = op.d.map((t) => [t[0], t[1]]);
    return op.k === 'ors.add' ? { k: op.k, v: op.v, d } : { k: op.k, d };
  },

  decodeOp(value: unknown): CrdtResult<ORSetOp> {
    return checkOp(value);
  },

  encodeState,

  decodeState(bytes: Uint8Array): CrdtResult<ORSetState> {
    return decodeSnapshot(bytes, 'or-set', (r) => ({ store: readDotStore(r, 'or-set') }), encodeState);
  },
});
