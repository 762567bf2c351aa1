import { CrdtArgumentError } from '../argument-error.ts';
import { crdtOk, crdtReject, type CrdtResult } from '../errors.ts';
import { checkScalar, type Scalar } from '../scalar.ts';
import { RGA_LIMITS } from './limits.ts';
import type { RgaState } from './rga-state.ts';
import { codePointCount, type Run } from './run.ts';
import type { Leaf } from './run-tree.ts';

/**
 * An element of an RGA: a list value, or one code point of text. Text is the list of its code
 * points, so a text insert of "ab" and a list insert of ["a", "b"] make the same elements.
 */
export type RgaElement = Scalar;

/** An item's id: its author's node id and the author's per-document counter. */
export interface RgaId {
  readonly author: Uint8Array;
  readonly seq: number;
}

/**
 * Inserts items (vertex author, seq .. seq+n-1) between the items `left` and `right` (null: the
 * start / the end), which were neighbours when the author made it. `content` is text (one item
 * per code point) or list values (one item each).
 */
export interface RgaInsertOp {
  readonly kind: 'rga.ins';
  readonly seq: number;
  readonly left: RgaId | null;
  readonly right: RgaId | null;
  readonly content: string | readonly RgaElement[];
}

/** Items (author, seq .. seq+len-1). */
export interface RgaRange {
  readonly author: Uint8Array;
  readonly seq: number;
  readonly len: number;
}

/** Deletes the items of `ranges` (already deleted ones stay deleted). */
export interface RgaDeleteOp {
  readonly kind: 'rga.del';
  readonly ranges: readonly RgaRange[];
}

export type RgaOp = RgaInsertOp | RgaDeleteOp;

/** Checked insert content: how many elements, and the content with list values in canonical form. */
export interface CheckedContent {
  readonly count: number;
  readonly content: string | Scalar[];
}

/**
 * Checks insert content: text must be well-formed Unicode, values in the scalar model, and there
 * must be 1 to `maxInsertElements` elements. List values come back as canonical copies.
 */
export function checkContent(content: unknown): CrdtResult<CheckedContent> {
  const max = RGA_LIMITS.maxInsertElements;
  if (typeof content === 'string') {
    if (content.length > 2 * max) return crdtReject('limit', `insert of more than ${max} code points`);
    const n = codePointCount(content);
    if (n < 0) return crdtReject('malformed', 'text is not well-formed Unicode');
    if (n === 0) return crdtReject('malformed', 'empty insert');
    if (n > max) return crdtReject('limit', `insert of more than ${max} code points`);
    return crdtOk({ count: n, content });
  }
  if (!Array.isArray(content)) return crdtReject('malformed', 'insert content is neither text nor a list');
  if (content.length === 0) return crdtReject('malformed', 'empty insert');
  if (content.length > max) return crdtReject('limit', `insert of more than ${max} values`);
  const values: Scalar[] = [];
  for (const value of content as unknown[]) {
    const checked = checkScalar(value, 'list value');
    if (!checked.ok) return checked;
    values.push(checked.value);
  }
  return crdtOk({ count: values.length, content: values });
}

/** Whether `content` is one code point of BMP text: the common case, checked without allocating. */
export function isOneUnit(content: unknown): content is string {
  if (typeof content !== 'string' || content.length !== 1) return false;
  const c = content.charCodeAt(0);
  return c < 0xd800 || c > 0xdfff;
}

function checkAuthor(author: Uint8Array): void {
  if (!(author instanceof Uint8Array) || author.length !== 32) throw new CrdtArgumentError('author must be a 32-byte node id');
}

function idOf(state: RgaState, run: Run, offset: number): RgaId {
  return { author: state.authors[run.agent] as Uint8Array, seq: run.seq + offset };
}

/**
 * The operation by which `author` inserts `content` (text or list values) so that its first
 * element lands at visible position `pos` (0 to length). Pure: apply it to make it happen.
 * Positions count elements (code points of text). Refused with `bad-position` if `pos` is
 * outside the sequence, `malformed` / `limit` if the content is.
 */
export function insertOp(state: RgaState, author: Uint8Array, pos: number, content: string | readonly RgaElement[]): CrdtResult<RgaInsertOp> {
  checkAuthor(author);
  const tree = state.tree;
  if (!Number.isInteger(pos) || pos < 0 || pos > tree.vis) return crdtReject('bad-position', `insert position ${pos} outside 0..${tree.vis}`);
  let count = 1;
  let checked: string | Scalar[] = content as string;
  if (!isOneUnit(content)) {
    const c = checkContent(content);
    if (!c.ok) return c;
    count = c.value.count;
    checked = c.value.content;
  }
  const agent = state.agentOf(author);
  const seq = agent < 0 ? 0 : (state.nextSeq[agent] as number);
  if (seq + count > RGA_LIMITS.maxSeq) return crdtReject('limit', `author has created ${RGA_LIMITS.maxSeq} items`);
  let left: RgaId | null;
  let right: RgaId | null;
  if (pos === tree.vis) {
    // At the end: after everything, tombstones included.
    right = null;
    const last = tree.lastRun();
    left = last === null ? null : idOf(state, last, last.len - 1);
    state.hint(last, null);
  } else {
    // Before the pos-th visible item, after whatever tombstones precede it.
    tree.seek(pos);
    const run = tree.hitRun as Run;
    const offset = tree.hitOffset;
    right = idOf(state, run, offset);
    if (offset > 0) {
      left = idOf(state, run, offset - 1);
      state.hint(run, run);
    } else {
      const prev = tree.prevRun(run, tree.hitIndex);
      left = prev === null ? null : idOf(state, prev, prev.len - 1);
      state.hint(prev, run);
    }
  }
  return crdtOk({ kind: 'rga.ins', seq, left, right, content: checked });
}

/**
 * The operation deleting the `len` visible elements from position `pos`: it names their ids, so
 * it deletes those elements wherever concurrent edits move them. Refused with `bad-position` if
 * the range is not inside the sequence, `limit` if it spans more than `maxDeleteRanges` id ranges
 * (delete in parts).
 */
export function deleteOp(state: RgaState, pos: number, len: number): CrdtResult<RgaDeleteOp> {
  const tree = state.tree;
  if (!Number.isInteger(pos) || !Number.isInteger(len) || pos < 0 || len < 1 || pos + len > tree.vis) {
    return crdtReject('bad-position', `delete of ${len} at ${pos} outside 0..${tree.vis}`);
  }
  tree.seek(pos);
  let run = tree.hitRun as Run;
  let index = tree.hitIndex;
  let offset = tree.hitOffset;
  state.hintDeleteAt(run);
  let rest = len;
  const ranges: { author: Uint8Array; seq: number; len: number }[] = [];
  let lastAgent = -1;
  for (;;) {
    if (!run.deleted) {
      const take = Math.min(run.len - offset, rest);
      const seq = run.seq + offset;
      const last = ranges[ranges.length - 1];
      if (last !== undefined && lastAgent === run.agent && last.seq + last.len === seq) last.len += take;
      else {
        if (ranges.length === RGA_LIMITS.maxDeleteRanges) return crdtReject('limit', `delete spans more than ${RGA_LIMITS.maxDeleteRanges} id ranges`);
        ranges.push({ author: state.authors[run.agent] as Uint8Array, seq, len: take });
        lastAgent = run.agent;
      }
      rest -= take;
      if (rest === 0) break;
    }
    const runs = run.leaf.runs;
    if (index + 1 < runs.length) run = runs[++index] as Run;
    else {
      run = (run.leaf.next as Leaf).runs[0] as Run;
      index = 0;
    }
    offset = 0;
  }
  return crdtOk({ kind: 'rga.del', ranges });
}
