import { equalBytes } from '../crypto/index.ts';
import { idKey } from '../dag/index.ts';
import { boundBetween, compareBounds, compareItemToBound, START_BOUND } from './bound.ts';
import { SyncDecodeFailure } from './errors.ts';
import type { SaltedFingerprints } from './fingerprint.ts';
import type { OrderedVertices, SyncItem } from './replica.ts';
import { END_BOUND, type Bound, type WireRange } from './wire.ts';

/** What one flight may still carry; shared by every topic of the flight. */
export interface RangeBudget {
  ranges: number;
  ids: number;
}

export interface RangeContext {
  readonly view: OrderedVertices;
  readonly fingerprints: SaltedFingerprints;
  readonly idListThreshold: number;
  readonly branching: number;
  readonly budget: RangeBudget;
}

/** A range this side left open (fingerprint or id list sent, answer awaited). */
export interface OpenRange {
  readonly lower: Bound;
  readonly upper: Bound;
}

export interface RangeAnswer {
  /** The reply, covering the whole order; consecutive skips merged. */
  readonly ranges: WireRange[];
  /** Ranges of the reply that await an answer, in order. */
  readonly open: OpenRange[];
  /** Our items the peer's id lists showed it lacks. */
  readonly owed: SyncItem[];
  /** Ids in the peer's id lists that we lack. */
  readonly wants: Uint8Array[];
}

function pushSkip(out: WireRange[], upper: Bound): void {
  const last = out[out.length - 1];
  if (last !== undefined && last.mode === 'skip') out[out.length - 1] = { upper, mode: 'skip' };
  else out.push({ upper, mode: 'skip' });
}

/**
 * Describes our items in [lower, upper) (positions [from, to)): an id list when there are few,
 * else `branching` sub-ranges of equal item counts, each with its fingerprint. Splitting by count,
 * not by id value, keeps every level balanced however clustered the ids are. When the flight's
 * budget is spent, one fingerprint of the whole range goes instead and the peer splits it.
 */
function describe(ctx: RangeContext, upper: Bound, from: number, to: number, out: WireRange[], open: OpenRange[], lower: Bound): void {
  const count = to - from;
  const { view, fingerprints, budget } = ctx;
  if (count <= ctx.idListThreshold && budget.ids >= count && budget.ranges >= 1) {
    const ids: Uint8Array[] = [];
    for (let i = from; i < to; i++) ids.push(view.at(i).id);
    out.push({ upper, mode: 'ids', ids });
    open.push({ lower, upper });
    budget.ids -= count;
    budget.ranges -= 1;
    return;
  }
  const parts = Math.min(ctx.branching, count);
  if (parts < 2 || budget.ranges < parts) {
    out.push({ upper, mode: 'fingerprint', count, fingerprint: fingerprints.of(view, from, to) });
    open.push({ lower, upper });
    budget.ranges -= 1;
    return;
  }
  let start = from;
  let subLower = lower;
  for (let k = 1; k <= parts; k++) {
    const end = from + Math.floor((k * count) / parts);
    const subUpper = k === parts ? upper : boundBetween(view.at(end - 1), view.at(end));
    out.push({ upper: subUpper, mode: 'fingerprint', count: end - start, fingerprint: fingerprints.of(view, start, end) });
    open.push({ lower: subLower, upper: subUpper });
    start = end;
    subLower = subUpper;
  }
  budget.ranges -= parts;
}

/** The opening description of our whole set (sent by whoever starts range reconciliation). */
export function openingRanges(ctx: RangeContext): { ranges: WireRange[]; open: OpenRange[] } {
  const ranges: WireRange[] = [];
  const open: OpenRange[] = [];
  describe(ctx, END_BOUND, 0, ctx.view.size, ranges, open, START_BOUND);
  return { ranges, open };
}

/**
 * Answers the peer's ranges (which must cover the whole order with strictly increasing bounds):
 * skips stay skips; a fingerprint that matches ours is settled, one that differs is described
 * finer; an id list is settled at once — we owe what it lacks and want what we lack.
 */
export function answerRanges(ctx: RangeContext, incoming: readonly WireRange[], has: (key: string) => boolean): RangeAnswer {
  const out: WireRange[] = [];
  const open: OpenRange[] = [];
  const owed: SyncItem[] = [];
  const wants: Uint8Array[] = [];
  const { view } = ctx;
  let lower = START_BOUND;
  let from = 0;
  for (const r of incoming) {
    if (compareBounds(r.upper, lower) <= 0) throw new SyncDecodeFailure('malformed', 'range bounds are not strictly increasing');
    const to = view.lowerBound(r.upper.lamport, r.upper.prefix);
    if (r.mode === 'skip') pushSkip(out, r.upper);
    else if (r.mode === 'fingerprint') {
      const count = to - from;
      const same = count === r.count && equalBytes(ctx.fingerprints.of(view, from, to), r.fingerprint);
      if (same) pushSkip(out, r.upper);
      else describe(ctx, r.upper, from, to, out, open, lower);
    } else {
      const theirs = new Set<string>();
      for (const id of r.ids) {
        const key = idKey(id);
        theirs.add(key);
        if (!has(key)) wants.push(id);
      }
      for (let i = from; i < to; i++) {
        const item = view.at(i);
        if (!theirs.has(item.key)) owed.push(item);
      }
      pushSkip(out, r.upper);
    }
    lower = r.upper;
    from = to;
  }
  if (lower.lamport !== Infinity) throw new SyncDecodeFailure('malformed', 'ranges do not reach the end of the order');
  return { ranges: out, open, owed, wants };
}

/** Whether an item lies in one of the open ranges (sorted, disjoint). */
export function inOpenRange(open: readonly OpenRange[], lamport: number, id: Uint8Array): boolean {
  let lo = 0;
  let hi = open.length;
  // First range whose upper bound is above the item.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareItemToBound(lamport, id, (open[mid] as OpenRange).upper) >= 0) lo = mid + 1;
    else hi = mid;
  }
  const r = open[lo];
  return r !== undefined && compareItemToBound(lamport, id, r.lower) >= 0;
}
