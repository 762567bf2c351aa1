import { CrdtError } from '../errors.ts';
import { exportScalar } from '../scalar.ts';
import type { AuthorRuns } from './author-runs.ts';
import { deleteItems } from './integrate.ts';
import { RgaState } from './rga-state.ts';
import { NONE, Run, unitIndex } from './run.ts';
import { integrateInOrder, type Piece } from './schedule.ts';

/** A deep copy: same items, order, content and deletions; nothing shared with `state`. */
export function cloneRgaState(state: RgaState): RgaState {
  const copy = new RgaState();
  for (const author of state.authors) copy.intern(author);
  for (let a = 0; a < state.nextSeq.length; a++) copy.nextSeq[a] = state.nextSeq[a] as number;
  const twin = new Map<Run, Run>();
  const ordered: Run[] = [];
  for (const run of state.tree.runs()) {
    const c = new Run(run.agent, run.seq, run.len, run.leftAgent, run.leftSeq, run.rightAgent, run.rightSeq, run.text, run.values === null ? null : run.values.map(exportScalar), run.deleted, copy.tree.first);
    twin.set(run, c);
    ordered.push(c);
  }
  copy.tree.load(ordered);
  for (let a = 0; a < state.byAuthor.length; a++) {
    const index = copy.byAuthor[a] as AuthorRuns;
    for (const run of (state.byAuthor[a] as AuthorRuns).runs()) index.append(twin.get(run) as Run);
  }
  return copy;
}

/**
 * The join of two replicas: every item either holds, placed as operations would place it, and
 * every deletion either made. Commutative, associative and idempotent, and equal to applying
 * both replicas' operations to one replica (checked by encoded bytes in the tests). Neither
 * input changes.
 */
export function mergeRgaStates(a: RgaState, b: RgaState): RgaState {
  const out = cloneRgaState(a);
  // b's authors by their number in `out`; interning only adds table entries, no items.
  const map = b.authors.map((author) => out.intern(author));
  const queues: Piece[][] = out.authors.map(() => []);
  for (let x = 0; x < b.authors.length; x++) {
    const agent = map[x] as number;
    const have = out.nextSeq[agent] as number;
    if ((b.nextSeq[x] as number) <= have) continue;
    const queue = queues[agent] as Piece[];
    for (const run of (b.byAuthor[x] as AuthorRuns).runs()) {
      if (run.seq + run.len <= have) continue;
      queue.push(pieceOf(run, Math.max(0, have - run.seq), agent, map));
    }
  }
  // Replicas of honest authors always order; see integrateInOrder on `strict`.
  const problem = integrateInOrder(out, queues, false);
  if (problem !== undefined) throw new CrdtError('ERR_RGA_STATE', `merge of inconsistent replicas: ${problem}`);
  for (let x = 0; x < b.authors.length; x++) {
    for (const run of (b.byAuthor[x] as AuthorRuns).runs()) if (run.deleted) deleteItems(out, map[x] as number, run.seq, run.len);
  }
  return out;
}

/** `run` from its `skip`-th item on, as a piece of the target state whose author numbers are `map`. */
function pieceOf(run: Run, skip: number, agent: number, map: readonly number[]): Piece {
  const remap = (x: number): number => (x === NONE ? NONE : (map[x] as number));
  // The target state keeps the values it is given, so they are copies. A tombstone has no content.
  const values = run.values === null ? null : (skip > 0 ? run.values.slice(skip) : run.values).map(exportScalar);
  let text = run.text;
  if (skip > 0 && values === null && !run.deleted) text = text.slice(text.length === run.len ? skip : unitIndex(text, skip));
  return {
    agent,
    seq: run.seq + skip,
    len: run.len - skip,
    leftAgent: skip > 0 ? agent : remap(run.leftAgent),
    leftSeq: skip > 0 ? run.seq + skip - 1 : run.leftSeq,
    rightAgent: remap(run.rightAgent),
    rightSeq: run.rightSeq,
    text,
    values,
    deleted: run.deleted,
  };
}
