import { utf8 } from '../../crypto/index.ts';
import { compareIds } from '../../dag/index.ts';
import type { CrdtResult } from '../errors.ts';
import { MIN_SCALAR_BYTES, readScalar, writeScalar, type Scalar } from '../scalar.ts';
import { decodeSnapshot, decodeUtf8, snapshotWriter, SnapshotStop, StateWriter, type StateReader } from '../state-codec.ts';
import type { AuthorRuns } from './author-runs.ts';
import { RGA_LIMITS } from './limits.ts';
import { RgaState } from './rga-state.ts';
import { codePointCount, isCodePoint, NONE, type Run } from './run.ts';
import { integrateInOrder, type Piece } from './schedule.ts';

/*
 * RGA snapshot (after the two-byte header of src/crdt/state-codec.ts; docs/CRDT.md "RGA"):
 *
 *   authors   count, then each 32-byte id, strictly ascending
 *   items     per author: how many items it created (>= 1); its seqs are 0..n-1
 *   deleted   per author: count of ranges, then per range (start - cursor, len - 1), cursor
 *             starting at 0 and moving to end + 1, so ranges are sorted and never touch
 *   text      length-prefixed UTF-8: the code points of every visible text element, in the
 *             order the segments below consume them
 *   runs      per author, in seq order until its items are covered: len, left origin, right
 *             origin (0 for none, else 1 + author index, then seq), then the run's visible
 *             elements as segments: (n << 1 | 0) n code points taken from `text`, or
 *             (n << 1 | 1) followed by n scalars
 *
 * A run is a maximal chain: each item after the first has the item before as left origin and the
 * run's right origin. Deleted items keep only their ids and origins. Document order is not
 * stored; decoding rebuilds it by integrating the runs, origins first, so a snapshot can only
 * describe orders that operations could have produced. All counts are unsigned LEB128.
 */

/** Interned author numbers with items, in canonical (byte) order. */
function canonicalAuthors(state: RgaState): number[] {
  const agents: number[] = [];
  for (let a = 0; a < state.authors.length; a++) if ((state.nextSeq[a] as number) > 0) agents.push(a);
  return agents.sort((x, y) => compareIds(state.authors[x] as Uint8Array, state.authors[y] as Uint8Array));
}

function writeOrigin(w: StateWriter, rank: Int32Array, agent: number, seq: number): void {
  if (agent === NONE) w.uint(0);
  else {
    w.uint(rank[agent] as number);
    w.uint(seq);
  }
}

/** Writes the segments of a chain's visible elements, collecting its text into `text`. */
function writeSegments(w: StateWriter, chain: readonly Run[], text: string[]): void {
  let kind = -1;
  let n = 0;
  let pending: Scalar[] = [];
  const flush = (): void => {
    if (n === 0) return;
    w.uint(n * 2 + kind);
    if (kind === 1) for (const v of pending) writeScalar(w, v);
    n = 0;
    pending = [];
  };
  for (const run of chain) {
    if (run.deleted) continue;
    if (run.values === null) {
      if (kind !== 0) flush();
      kind = 0;
      n += run.len;
      text.push(run.text);
      continue;
    }
    for (const v of run.values) {
      const k = isCodePoint(v) ? 0 : 1;
      if (k !== kind) flush();
      kind = k;
      n++;
      if (k === 0) text.push(v as string);
      else pending.push(v);
    }
  }
  flush();
}

function continues(prev: Run, next: Run): boolean {
  return next.leftAgent === next.agent && next.leftSeq === next.seq - 1 && next.rightAgent === prev.rightAgent && next.rightSeq === prev.rightSeq;
}

/** The canonical snapshot bytes: equal states (same items, origins, content, deletions) give equal bytes. */
export function encodeRgaState(state: RgaState): Uint8Array {
  const agents = canonicalAuthors(state);
  const rank = new Int32Array(state.authors.length);
  agents.forEach((a, i) => (rank[a] = i + 1));
  const head = snapshotWriter('rga');
  head.uint(agents.length);
  for (const a of agents) head.raw(state.authors[a] as Uint8Array);
  for (const a of agents) head.uint(state.nextSeq[a] as number);
  for (const a of agents) {
    // Deleted ranges: tombstone runs, joined where they meet in id space.
    const starts: number[] = [];
    const ends: number[] = [];
    for (const run of (state.byAuthor[a] as AuthorRuns).runs()) {
      if (!run.deleted) continue;
      if (ends.length > 0 && ends[ends.length - 1] === run.seq) ends[ends.length - 1] = run.seq + run.len;
      else {
        starts.push(run.seq);
        ends.push(run.seq + run.len);
      }
    }
    head.uint(starts.length);
    let cursor = 0;
    starts.forEach((start, i) => {
      const end = ends[i] as number;
      head.uint(start - cursor);
      head.uint(end - start - 1);
      cursor = end + 1;
    });
  }
  // Runs go after the text they take their code points from, so they are written aside first.
  const body = new StateWriter();
  const text: string[] = [];
  const chain: Run[] = [];
  for (const a of agents) {
    for (const run of (state.byAuthor[a] as AuthorRuns).runs()) {
      if (chain.length > 0 && !continues(chain[chain.length - 1] as Run, run)) writeChain(body, rank, chain, text);
      chain.push(run);
    }
    writeChain(body, rank, chain, text);
  }
  head.bytes(utf8(text.join('')));
  head.raw(body.finish());
  return head.finish();
}

function writeChain(w: StateWriter, rank: Int32Array, chain: Run[], text: string[]): void {
  const first = chain[0] as Run;
  let len = 0;
  for (const run of chain) len += run.len;
  w.uint(len);
  writeOrigin(w, rank, first.leftAgent, first.leftSeq);
  writeOrigin(w, rank, first.rightAgent, first.rightSeq);
  writeSegments(w, chain, text);
  chain.length = 0;
}

/** Reads the code points of visible text out of the snapshot's text block, in order. */
class TextCursor {
  readonly #text: string;
  readonly #bmp: boolean;
  #unit = 0;

  constructor(text: string, codePoints: number) {
    this.#text = text;
    this.#bmp = codePoints === text.length;
  }

  take(n: number): string {
    const start = this.#unit;
    if (this.#bmp) this.#unit += n;
    else {
      for (let i = 0; i < n && this.#unit < this.#text.length; i++) {
        const c = this.#text.charCodeAt(this.#unit);
        this.#unit += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      }
    }
    if (this.#unit > this.#text.length) throw new SnapshotStop('malformed', 'runs take more text than the snapshot holds');
    const out = this.#text.slice(start, this.#unit);
    if (!this.#bmp && out.length < n) throw new SnapshotStop('malformed', 'runs take more text than the snapshot holds');
    return out;
  }

  end(): void {
    if (this.#unit !== this.#text.length) throw new SnapshotStop('malformed', 'text left over after the runs');
  }
}

function readOrigin(r: StateReader, counts: readonly number[], what: string): [number, number] {
  const ref = r.uint(what, counts.length);
  if (ref === 0) return [NONE, 0];
  const seq = r.uint(`${what} seq`, RGA_LIMITS.maxSeq);
  if (seq >= (counts[ref - 1] as number)) throw new SnapshotStop('malformed', `${what} names an item that does not exist`);
  return [ref - 1, seq];
}

function readRgaState(r: StateReader): RgaState {
  const state = new RgaState();
  // Each author takes at least 32 id bytes, an item count, a range count and a run.
  const n = r.count('authors', RGA_LIMITS.maxSnapshotAuthors, 36);
  let prev: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const id = r.fixed('author', 32);
    if (prev !== null && compareIds(prev, id) >= 0) throw new SnapshotStop('malformed', 'authors are not strictly ascending');
    state.intern(id);
    prev = id;
  }
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = r.uint('item count', RGA_LIMITS.maxSeq, 'limit');
    if (c === 0) throw new SnapshotStop('malformed', 'author with no items');
    counts.push(c);
  }
  const deleted: number[][] = [];
  for (let i = 0; i < n; i++) {
    const count = counts[i] as number;
    const ranges: number[] = [];
    const k = r.count('deleted ranges', count, 2);
    let cursor = 0;
    for (let j = 0; j < k; j++) {
      const start = cursor + r.uint('deleted range start', RGA_LIMITS.maxSeq);
      const len = r.uint('deleted range length', RGA_LIMITS.maxSeq) + 1;
      if (start + len > count) throw new SnapshotStop('malformed', 'deleted range beyond the items');
      ranges.push(start, len);
      cursor = start + len + 1;
    }
    deleted.push(ranges);
  }
  const textBytes = r.uint('text length', Number.MAX_SAFE_INTEGER);
  if (textBytes > r.remaining) throw new SnapshotStop('malformed', 'text longer than the snapshot');
  const decoded = decodeUtf8(r.fixed('text', textBytes), 'text');
  // Strict UTF-8 decoding leaves no lone surrogate, so this is the count, never -1.
  const text = new TextCursor(decoded, codePointCount(decoded));
  const queues: Piece[][] = [];
  for (let a = 0; a < n; a++) queues.push(readRuns(r, a, counts, deleted[a] as number[], text));
  text.end();
  const problem = integrateInOrder(state, queues);
  if (problem !== undefined) throw new SnapshotStop('malformed', problem);
  return state;
}

/** Reads author `a`'s runs and cuts them into pieces of one kind (tombstones, text, values). */
function readRuns(r: StateReader, a: number, counts: readonly number[], ranges: readonly number[], text: TextCursor): Piece[] {
  const pieces: Piece[] = [];
  const count = counts[a] as number;
  let di = 0;
  let seq = 0;
  while (seq < count) {
    const len = r.uint('run length', count - seq);
    if (len === 0) throw new SnapshotStop('malformed', 'empty run');
    const [la, ls] = readOrigin(r, counts, 'left origin');
    const [ra, rs] = readOrigin(r, counts, 'right origin');
    const end = seq + len;
    let segLeft = 0;
    let segKind = 0;
    for (let pos = seq; pos < end; ) {
      while (di < ranges.length && (ranges[di] as number) + (ranges[di + 1] as number) <= pos) di += 2;
      const dStart = di < ranges.length ? (ranges[di] as number) : Infinity;
      let take: number;
      let pieceText = '';
      let values: Scalar[] | null = null;
      let tomb = false;
      if (dStart <= pos) {
        take = Math.min(dStart + (ranges[di + 1] as number), end) - pos;
        tomb = true;
      } else {
        if (segLeft === 0) {
          const h = r.uint('segment', 2 * RGA_LIMITS.maxSeq + 1);
          segLeft = Math.floor(h / 2);
          segKind = h % 2;
          if (segLeft === 0) throw new SnapshotStop('malformed', 'empty segment');
          if (segKind === 1 && segLeft * MIN_SCALAR_BYTES > r.remaining) throw new SnapshotStop('malformed', 'segment longer than the snapshot');
        }
        take = Math.min(Math.min(dStart, end) - pos, segLeft);
        if (segKind === 0) pieceText = text.take(take);
        else {
          values = [];
          for (let i = 0; i < take; i++) values.push(readScalar(r, 'list value'));
        }
        segLeft -= take;
      }
      const first = pos === seq;
      pieces.push({
        agent: a,
        seq: pos,
        len: take,
        leftAgent: first ? la : a,
        leftSeq: first ? ls : pos - 1,
        rightAgent: ra,
        rightSeq: rs,
        text: pieceText,
        values,
        deleted: tomb,
      });
      pos += take;
    }
    if (segLeft !== 0) throw new SnapshotStop('malformed', 'segment runs past its run');
    seq = end;
  }
  return pieces;
}

/** Decodes and checks a snapshot; never throws on bad input. */
export function decodeRgaState(bytes: Uint8Array): CrdtResult<RgaState> {
  return decodeSnapshot(bytes, 'rga', readRgaState, encodeRgaState);
}
