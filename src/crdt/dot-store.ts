import { BASIC_TYPE_LIMITS } from './basic-limits.ts';
import { compareDots, dotKey, MIN_DOT_BYTES, readAscendingDots, writeDot, type Dot } from './dot.ts';
import { compareScalars, MIN_SCALAR_BYTES, readScalar, scalarKey, writeScalar, type Scalar } from './scalar.ts';
import { SnapshotStop, type StateReader, type StateWriter } from './state-codec.ts';

/*
 * The state shared by the OR-Set and the MV-Register: the dots of writes that are still live,
 * each with its value, and the set of dots that some operation has removed (superseded).
 *
 * Both are functions of the set of operations applied, whatever the order: with A the (dot,
 * value) pairs that writes created and R every dot an operation named, live = A minus R. A dot
 * names one operation, so it never carries two values from honest peers; if a forged snapshot
 * gives one dot two values, the smaller in scalar order is kept, which keeps merging a join.
 *
 * Why keep removed dots at all: dots are (vertex id, index), not (author, counter), so there is
 * no version vector that could say "this replica has seen that dot" compactly. Without the
 * removed set, a replica that removed x and merged with an older replica still holding x's dot
 * could not tell "removed here" from "not yet seen here", and x would come back. The removed set
 * is the explicit causal context of Almeida et al.'s delta-state OR-Set, minus the live dots.
 */

/** A live dot: a write that no operation has removed. Never mutated, so stores can share them. */
export interface LiveDot {
  readonly dot: Dot;
  readonly value: Scalar;
  readonly valueKey: string;
}

export interface DotStore {
  /** Live dots by `dotKey`. */
  readonly live: Map<string, LiveDot>;
  /** Live dots of each value, by `scalarKey`; a value with no live dot has no entry. */
  readonly byValue: Map<string, Map<string, Dot>>;
  /** Removed dots by `dotKey`. */
  readonly removed: Map<string, Dot>;
}

export function createDotStore(): DotStore {
  return { live: new Map(), byValue: new Map(), removed: new Map() };
}

export function cloneDotStore(s: DotStore): DotStore {
  const byValue = new Map<string, Map<string, Dot>>();
  for (const [key, dots] of s.byValue) byValue.set(key, new Map(dots));
  return { live: new Map(s.live), byValue, removed: new Map(s.removed) };
}

function unindex(s: DotStore, key: string, entry: LiveDot): void {
  const dots = s.byValue.get(entry.valueKey);
  if (dots === undefined) return;
  dots.delete(key);
  if (dots.size === 0) s.byValue.delete(entry.valueKey);
}

/** Records a write of `value` at `dot`, unless the dot was removed or already holds a smaller value. */
export function addLive(s: DotStore, dot: Dot, value: Scalar): void {
  const key = dotKey(dot);
  if (s.removed.has(key)) return;
  const existing = s.live.get(key);
  if (existing !== undefined) {
    if (compareScalars(value, existing.value) >= 0) return;
    unindex(s, key, existing);
  }
  const valueKey = scalarKey(value);
  s.live.set(key, { dot, value, valueKey });
  let dots = s.byValue.get(valueKey);
  if (dots === undefined) {
    dots = new Map();
    s.byValue.set(valueKey, dots);
  }
  dots.set(key, dot);
}

/** Removes `dot` for good, whether or not it has been seen yet. */
export function removeDot(s: DotStore, dot: Dot): void {
  const key = dotKey(dot);
  if (!s.removed.has(key)) s.removed.set(key, dot);
  const existing = s.live.get(key);
  if (existing === undefined) return;
  s.live.delete(key);
  unindex(s, key, existing);
}

/** The join of two stores; neither input is changed. */
export function mergeDotStores(a: DotStore, b: DotStore): DotStore {
  const out = cloneDotStore(a);
  for (const dot of b.removed.values()) removeDot(out, dot);
  for (const entry of b.live.values()) addLive(out, entry.dot, entry.value);
  return out;
}

/** Live dots of `value`, in no particular order. */
export function dotsOfValue(s: DotStore, value: Scalar): Dot[] {
  const dots = s.byValue.get(scalarKey(value));
  return dots === undefined ? [] : [...dots.values()];
}

/** Distinct live values in canonical order. */
export function liveValues(s: DotStore): Scalar[] {
  const out: Scalar[] = [];
  for (const dots of s.byValue.values()) {
    const first = dots.keys().next();
    if (first.done === true) continue;
    out.push((s.live.get(first.value) as LiveDot).value);
  }
  return out.sort(compareScalars);
}

/**
 * Canonical body: the number of live values, then for each value in scalar order the value,
 * its number of dots and its dots ascending; then the number of removed dots and those dots
 * ascending.
 */
export function writeDotStore(w: StateWriter, s: DotStore): void {
  const groups = [...s.byValue.values()].map((dots) => {
    const sorted = [...dots.values()].sort(compareDots);
    return { value: (s.live.get(dotKey(sorted[0] as Dot)) as LiveDot).value, dots: sorted };
  });
  groups.sort((x, y) => compareScalars(x.value, y.value));
  w.uint(groups.length);
  for (const g of groups) {
    writeScalar(w, g.value);
    w.uint(g.dots.length);
    for (const d of g.dots) writeDot(w, d);
  }
  const removed = [...s.removed.values()].sort(compareDots);
  w.uint(removed.length);
  for (const d of removed) writeDot(w, d);
}

/** Reads what `writeDotStore` wrote; order and duplicates are left to the caller's canonical check. */
export function readDotStore(r: StateReader, what: string): DotStore {
  const max = BASIC_TYPE_LIMITS.maxStateEntries;
  const s = createDotStore();
  const groups = r.count(`${what} values`, max, MIN_SCALAR_BYTES + 1 + MIN_DOT_BYTES);
  for (let i = 0; i < groups; i++) {
    const value = readScalar(r, `${what} value`);
    const n = r.count(`${what} dots of a value`, max - s.live.size, MIN_DOT_BYTES);
    if (n === 0) throw new SnapshotStop('malformed', `${what} value without dots`);
    for (const dot of readAscendingDots(r, n, `${what} dots`)) {
      if (s.live.has(dotKey(dot))) throw new SnapshotStop('malformed', `${what} dot with two values`);
      addLive(s, dot, value);
    }
  }
  const n = r.count(`${what} removed dots`, max, MIN_DOT_BYTES);
  for (const dot of readAscendingDots(r, n, `${what} removed dots`)) {
    if (s.live.has(dotKey(dot))) throw new SnapshotStop('malformed', `${what} dot both live and removed`);
    removeDot(s, dot);
  }
  return s;
}
