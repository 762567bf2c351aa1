import { compareIds } from '../../dag/index.ts';
import type { Scalar } from '../scalar.ts';
import type { AuthorRuns } from './author-runs.ts';
import type { RgaState } from './rga-state.ts';
import { NONE, Run } from './run.ts';

/*
 * Placing items: FugueMax in Joseph Gentle's "YjsMod" formulation (Weidner & Kleppmann, "The Art
 * of the Fugue", prove the two equal). A new item goes right after its left origin unless items
 * already sit between its left and right origins; then it scans them left to right:
 *   - an item whose left origin is before ours ends the scan (we go before it);
 *   - an item with our left origin and a right origin before ours may precede us or not: we
 *     keep scanning, remembering where we would go if it turns out not to;
 *   - same left and right origins: a true conflict, settled by author id bytes (then seq);
 *   - an item whose left origin is after ours belongs to a subtree we skip.
 * The middle rule is what makes concurrently typed runs never interleave.
 *
 * Items inside a run have the item before them as left origin, so the scan decides per run and
 * skips run interiors. `locate` checks the origins first, so nothing after it fails.
 */

/** Compares the positions of (aRun, aOff) and (bRun, bOff). */
function compareItems(state: RgaState, aRun: Run, aOff: number, bRun: Run, bOff: number): number {
  return aRun === bRun ? aOff - bOff : state.tree.compareRuns(aRun, bRun);
}

function runAfter(state: RgaState, run: Run): Run | null {
  return state.tree.nextRun(run, run.leaf.runs.indexOf(run));
}

/**
 * The origins of the items being integrated and the item after the left origin, found by
 * `locate` for the `integrate` right after it (which also leaves the scan's result here).
 * Module scratch rather than an object per insert: both run synchronously, one pair at a time.
 */
const at = { left: null as Run | null, lOff: 0, right: null as Run | null, rOff: 0, start: null as Run | null, sOff: 0, dest: null as Run | null, dOff: 0 };

/**
 * Finds the origins (la, ls) / (ra, rs) of new items and the item right after the left origin,
 * for the `integrate` call that follows. Returns why they cannot be origins here instead: both
 * must exist and, when `check`, the left must come before the right. An insert applied right
 * after `insertOp` built it finds both in the state's hint, already adjacent.
 */
export function locate(state: RgaState, la: number, ls: number, ra: number, rs: number, check: boolean): string | undefined {
  if (la !== NONE && !state.has(la, ls)) return 'left origin is not an item here';
  if (ra !== NONE && !state.has(ra, rs)) return 'right origin is not an item here';
  let left = la === NONE ? null : state.hinted(state.hintLeft, la, ls);
  let right = ra === NONE ? null : state.hinted(state.hintRight, ra, rs);
  // Hinted: nothing changed since the hint, and it holds both origins (none where an origin is absent).
  const hinted =
    state.hintVersion === state.version &&
    (la === NONE ? state.hintLeft === null : left !== null) &&
    (ra === NONE ? state.hintRight === null : right !== null);
  if (la !== NONE && left === null) left = state.runOf(la, ls);
  if (ra !== NONE && right === null) right = state.runOf(ra, rs);
  const lOff = left === null ? 0 : ls - left.seq;
  const rOff = right === null ? 0 : rs - right.seq;
  // The hint holds two neighbouring runs (or one run, or the start or end next to a run).
  let adjacent = false;
  if (hinted) {
    if (left === null) adjacent = rOff === 0;
    else if (right === null) adjacent = lOff === left.len - 1;
    else adjacent = left === right ? rOff === lOff + 1 : lOff === left.len - 1 && rOff === 0;
  }
  if (adjacent) {
    at.start = right;
    at.sOff = rOff;
  } else {
    if (check && left !== null && right !== null && compareItems(state, left, lOff, right, rOff) >= 0) return 'right origin is not after left origin';
    at.sOff = 0;
    if (left === null) at.start = state.tree.first.runs.length === 0 ? null : (state.tree.first.runs[0] as Run);
    else if (lOff + 1 < left.len) {
      at.start = left;
      at.sOff = lOff + 1;
    } else at.start = runAfter(state, left);
  }
  at.left = left;
  at.lOff = lOff;
  at.right = right;
  at.rOff = rOff;
  return undefined;
}

/**
 * Integrates items (agent, seq .. seq+count-1) with origins (la, ls) / (ra, rs), just located by
 * `locate`; content `text` (code points) or `values` (owned by the state from now on), or none
 * for tombstones.
 */
export function integrate(
  state: RgaState,
  agent: number,
  seq: number,
  count: number,
  la: number,
  ls: number,
  ra: number,
  rs: number,
  text: string,
  values: Scalar[] | null,
  deleted: boolean,
): void {
  state.version++;
  const tree = state.tree;
  const { left, lOff, right, rOff, start, sOff } = at;
  let dest = start;
  let dOff = sOff;
  if (start !== right || sOff !== rOff) {
    scan(state, agent, seq, left, lOff, right, rOff, start, sOff);
    dest = at.dest;
    dOff = at.dOff;
  }
  // Typing left to right: the new items continue the left origin's run.
  if (left !== null && dest === start && dOff === sOff && lOff === left.len - 1 && extends_(left, agent, seq, ra, rs, values, deleted)) {
    left.len += count;
    if (!deleted) {
      if (values !== null) for (const v of values) (left.values as Scalar[]).push(v);
      else left.text += text;
      tree.addVis(left.leaf, count);
    }
    state.nextSeq[agent] = seq + count;
    return;
  }
  const run = new Run(agent, seq, count, la, ls, ra, rs, deleted ? '' : text, deleted ? null : values, deleted, tree.first);
  if (dest === null) {
    tree.append(run);
  } else if (dOff > 0) {
    const rest = cutRun(state, dest, dOff);
    tree.insertAt(rest.leaf, rest.leaf.runs.indexOf(rest), run);
  } else {
    tree.insertAt(dest.leaf, dest.leaf.runs.indexOf(dest), run);
  }
  (state.byAuthor[agent] as AuthorRuns).append(run);
  state.nextSeq[agent] = seq + count;
}

function extends_(run: Run, agent: number, seq: number, ra: number, rs: number, values: Scalar[] | null, deleted: boolean): boolean {
  return (
    run.agent === agent &&
    run.seq + run.len === seq &&
    run.rightAgent === ra &&
    run.rightSeq === rs &&
    run.deleted === deleted &&
    (deleted || (run.values === null) === (values === null))
  );
}

/**
 * The YjsMod scan from (start, sOff) to the right origin. Leaves the item before which the new
 * items go in `at.dest` / `at.dOff` (null: the end).
 */
function scan(state: RgaState, agent: number, seq: number, left: Run | null, lOff: number, right: Run | null, rOff: number, start: Run | null, sOff: number): void {
  let scanning = false;
  let cur = start;
  let cOff = sOff;
  let dest = start;
  let dOff = sOff;
  let first = true;
  for (;;) {
    if (!scanning) {
      dest = cur;
      dOff = cOff;
    }
    if (cur === null) break;
    if (cur === right && cOff === rOff) break;
    if (cOff > 0 && !first) {
      // Inside a run each item's left origin is the item before it, already scanned: skip.
      if (cur === right && rOff > cOff) cOff = rOff;
      else {
        cur = runAfter(state, cur);
        cOff = 0;
      }
      continue;
    }
    first = false;
    const cmpLeft = cOff > 0 ? compareItems(state, cur, cOff - 1, left as Run, lOff) : compareOrigin(state, cur.leftAgent, cur.leftSeq, left, lOff, -1);
    if (cmpLeft < 0) break;
    if (cmpLeft === 0) {
      const cmpRight = compareOrigin(state, cur.rightAgent, cur.rightSeq, right, rOff, 1);
      if (cmpRight < 0) scanning = true;
      else if (cmpRight === 0) {
        if (comesFirst(state, agent, seq, cur.agent, cur.seq + cOff)) break;
        scanning = false;
      } else scanning = false;
    }
    if (cOff + 1 < cur.len) cOff++;
    else {
      cur = runAfter(state, cur);
      cOff = 0;
    }
  }
  at.dest = dest;
  at.dOff = dOff;
}

/**
 * Compares an origin (agent, seq) with a resolved origin `run`/`off`; an absent origin is the
 * start (side -1) or the end (side 1) of the sequence.
 */
function compareOrigin(state: RgaState, agent: number, seq: number, run: Run | null, off: number, side: number): number {
  if (agent === NONE) return run === null ? 0 : side;
  if (run === null) return -side;
  const other = state.runOf(agent, seq);
  return compareItems(state, other, seq - other.seq, run, off);
}

/** Whether item (a, as) goes before item (b, bs) when they conflict: author id bytes, then seq. */
function comesFirst(state: RgaState, a: number, as: number, b: number, bs: number): boolean {
  if (a === b) return as < bs;
  return compareIds(state.authors[a] as Uint8Array, state.authors[b] as Uint8Array) < 0;
}

/** Cuts `run` before its `k`-th item and places the right part; returns it. */
function cutRun(state: RgaState, run: Run, k: number): Run {
  const rest = run.cut(k);
  state.tree.insertAt(run.leaf, run.leaf.runs.indexOf(run) + 1, rest, true);
  (state.byAuthor[run.agent] as AuthorRuns).insertAfter(run, rest);
  return rest;
}

/** Deletes items (agent, seq .. seq+len-1), which must exist; deleted ones stay deleted. */
export function deleteItems(state: RgaState, agent: number, seq: number, len: number): void {
  let run = state.hinted(state.hintDelete, agent, seq);
  state.version++;
  const end = seq + len;
  let s = seq;
  while (s < end) {
    if (run === null) run = state.runOf(agent, s);
    if (run.deleted) {
      s = run.seq + run.len;
      run = null;
      continue;
    }
    if (s > run.seq) run = cutRun(state, run, s - run.seq);
    if (end < run.seq + run.len) cutRun(state, run, end - run.seq);
    state.tree.addVis(run.leaf, -run.len);
    run.tombstone();
    s = run.seq + run.len;
    coalesce(state, run);
    run = null;
  }
}

/** Whether tombstone `b` continues tombstone `a` (same author, next seqs, same origins chain). */
function joinable(a: Run, b: Run): boolean {
  return (
    a.deleted &&
    b.deleted &&
    a.agent === b.agent &&
    b.seq === a.seq + a.len &&
    b.leftAgent === a.agent &&
    b.leftSeq === a.seq + a.len - 1 &&
    a.rightAgent === b.rightAgent &&
    a.rightSeq === b.rightSeq
  );
}

/** Merges tombstone `run` with joinable neighbours in its leaf, so deleting piecemeal does not leave splinters. */
function coalesce(state: RgaState, run: Run): void {
  const runs = run.leaf.runs;
  let i = runs.indexOf(run);
  let keep = run;
  const before = i > 0 ? (runs[i - 1] as Run) : null;
  if (before !== null && joinable(before, run)) {
    before.len += run.len;
    state.tree.removeAt(run.leaf, i);
    (state.byAuthor[run.agent] as AuthorRuns).remove(run);
    keep = before;
    i--;
  }
  const after = i + 1 < runs.length ? (runs[i + 1] as Run) : null;
  if (after !== null && joinable(keep, after)) {
    keep.len += after.len;
    state.tree.removeAt(keep.leaf, i + 1);
    (state.byAuthor[after.agent] as AuthorRuns).remove(after);
  }
}
