import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OpOrigin } from '../../src/crdt/crdt-type.ts';
import { deleteOp, insertOp, rga, type RgaElement, type RgaOp, type RgaState } from '../../src/crdt/rga/index.ts';
import type { RgaState as RgaStateClass } from '../../src/crdt/rga/rga-state.ts';
import { prng } from '../support/fixtures.ts';
import { ReferenceRga } from './rga-reference.ts';

/** A 32-byte author id whose first byte is `n`: authors compare in the order of `n`. */
export function author(n: number): Uint8Array {
  const out = new Uint8Array(32).fill(0xaa);
  out[0] = n;
  return out;
}

export function at(who: Uint8Array, index = 0): OpOrigin {
  return { author: who, lamport: 1, vertex: new Uint8Array(32).fill(0xbb), index };
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Encoded snapshot as hex, for comparing states. */
export const bytesOf = (s: RgaState): string => hex(rga.encodeState(s));

export function applyOk(state: RgaState, op: RgaOp, who: Uint8Array): void {
  const r = rga.apply(state, op, at(who));
  assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.detail}`);
}

/** Builds and applies a local insert; returns the operation. */
export function ins(state: RgaState, who: Uint8Array, pos: number, content: string | readonly RgaElement[]): RgaOp {
  const op = insertOp(state, who, pos, content);
  assert.ok(op.ok, op.ok ? '' : op.detail);
  applyOk(state, op.value, who);
  return op.value;
}

/** Builds and applies a local delete; returns the operation. */
export function del(state: RgaState, who: Uint8Array, pos: number, len: number): RgaOp {
  const op = deleteOp(state, pos, len);
  assert.ok(op.ok, op.ok ? '' : op.detail);
  applyOk(state, op.value, who);
  return op.value;
}

/** Every item id in document order, tombstones included (reads the internals). */
export function itemOrder(state: RgaState): string[] {
  const s = state as unknown as RgaStateClass;
  const out: string[] = [];
  for (const run of s.tree.runs()) for (let k = 0; k < run.len; k++) out.push(`${hex(s.authors[run.agent] as Uint8Array)}:${run.seq + k}`);
  return out;
}

/** One operation of a history with what its author had seen (a version vector over replicas). */
export interface HistoryOp {
  readonly op: RgaOp;
  readonly replica: number;
  /** Index among its replica's own operations. */
  readonly own: number;
  /** How many of each replica's own operations its author had applied when making it. */
  readonly seen: readonly number[];
}

export interface History {
  readonly authors: readonly Uint8Array[];
  readonly ops: readonly HistoryOp[];
  /** Each replica's state at the end (each holds part of the operations). */
  readonly replicas: readonly RgaState[];
}

/** Text with some astral code points, or list values. */
const contentArb: fc.Arbitrary<string | RgaElement[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'xy', '😀', 'é😀', 'cde', '\u{10FFFF}z') },
  { weight: 1, arbitrary: fc.array(fc.constantFrom<RgaElement>(1, 'q', null, true, '🙂', 'long', Uint8Array.of(7)), { minLength: 1, maxLength: 3 }) },
);

export const stepArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('ins' as const), r: fc.nat(), p: fc.nat(), c: contentArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('del' as const), r: fc.nat(), p: fc.nat(), n: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('sync' as const), r: fc.nat(), from: fc.nat() }) },
);

export type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * Runs `steps` on `n` replicas, one author each: local inserts and deletes at positions taken
 * modulo the length (each checked against splicing the value), and syncs (replica r receives everything `from` has that it lacks, in the
 * order `from` applied it). Each replica applies in causal order, as the DAG would deliver.
 */
export function runHistory(n: number, steps: readonly Step[]): History {
  const authors = Array.from({ length: n }, (_, i) => author(0x10 * (n - i)));
  const replicas = authors.map(() => rga.create());
  const logs: number[][] = authors.map(() => []);
  const has = authors.map(() => new Set<number>());
  const counts = authors.map(() => new Array<number>(n).fill(0));
  const ops: HistoryOp[] = [];
  const receive = (r: number, i: number): void => {
    const h = ops[i] as HistoryOp;
    applyOk(replicas[r] as RgaState, h.op, authors[h.replica] as Uint8Array);
    (logs[r] as number[]).push(i);
    (has[r] as Set<number>).add(i);
    const seen = counts[r] as number[];
    seen[h.replica] = (seen[h.replica] as number) + 1;
  };
  for (const step of steps) {
    const r = step.r % n;
    const state = replicas[r] as RgaState;
    const before = rga.value(state);
    const len = before.length;
    let op: RgaOp | undefined;
    if (step.t === 'ins') {
      const p = step.p % (len + 1);
      const made = insertOp(state, authors[r] as Uint8Array, p, step.c);
      assert.ok(made.ok);
      op = made.value;
      before.splice(p, 0, ...(typeof step.c === 'string' ? Array.from(step.c) : step.c));
    } else if (step.t === 'del') {
      if (len === 0) continue;
      const p = step.p % len;
      const made = deleteOp(state, p, Math.min(step.n, len - p));
      assert.ok(made.ok);
      op = made.value;
      before.splice(p, Math.min(step.n, len - p));
    } else {
      const from = step.from % n;
      for (const i of logs[from] as number[]) if (!has[r]?.has(i)) receive(r, i);
      continue;
    }
    ops.push({ op, replica: r, own: (counts[r] as number[])[r] as number, seen: [...(counts[r] as number[])] });
    receive(r, ops.length - 1);
    // Local edits land exactly at the position asked for.
    assert.deepEqual(rga.value(state), before);
  }
  return { authors, ops, replicas };
}

/** The history's operations in a random causal order (seeded). */
export function causalShuffle(history: History, seed: number): HistoryOp[] {
  const rand = prng(seed);
  const n = history.authors.length;
  const applied = new Array<number>(n).fill(0);
  const pending = [...history.ops];
  const out: HistoryOp[] = [];
  while (pending.length > 0) {
    const ready = pending.filter((h) => applied[h.replica] === h.own && h.seen.every((c, b) => b === h.replica || (applied[b] as number) >= c));
    const pick = ready[Math.floor(rand() * ready.length)] as HistoryOp;
    pending.splice(pending.indexOf(pick), 1);
    out.push(pick);
    applied[pick.replica] = (applied[pick.replica] as number) + 1;
  }
  return out;
}

/** A fresh replica with `ops` applied in the given order. */
export function replay(history: History, ops: readonly HistoryOp[]): RgaState {
  const state = rga.create();
  for (const h of ops) applyOk(state, h.op, history.authors[h.replica] as Uint8Array);
  return state;
}

/** The reference implementation with `ops` applied in the given order. */
export function replayReference(history: History, ops: readonly HistoryOp[]): ReferenceRga {
  const ref = new ReferenceRga();
  for (const h of ops) ref.apply(h.op, history.authors[h.replica] as Uint8Array);
  return ref;
}
