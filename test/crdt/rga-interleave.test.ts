import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { rga, rgaText, type RgaOp, type RgaState } from '../../src/crdt/rga/index.ts';
import { applyOk, author, bytesOf, ins } from './rga-support.ts';

/*
 * FugueMax never interleaves two users' concurrently typed runs, whichever direction they type
 * in; plain RGA interleaves backward typing and YATA (Yjs) can interleave some forward cases.
 */

type Typist = { who: Uint8Array; text: string; backwards: boolean };
type Typed = { ops: RgaOp[][]; authors: Uint8Array[] };

/** Each typist, on its own copy of `base`, types its text one code point at a time at `pos`. */
function typeConcurrently(base: RgaState, pos: number, typists: readonly Typist[]): Typed {
  const ops = typists.map(({ who, text, backwards }) => {
    const s = rga.clone(base);
    const chars = Array.from(text);
    const out: RgaOp[] = [];
    if (backwards) for (let i = chars.length - 1; i >= 0; i--) out.push(ins(s, who, pos, chars[i] as string));
    else chars.forEach((c, i) => out.push(ins(s, who, pos + i, c)));
    return out;
  });
  return { ops, authors: typists.map((t) => t.who) };
}

/** Applies each typist's operations in turn, in the given typist order. */
function deliver(base: RgaState, typed: Typed, order: readonly number[]): RgaState {
  const s = rga.clone(base);
  for (const i of order) for (const op of typed.ops[i] as RgaOp[]) applyOk(s, op, typed.authors[i] as Uint8Array);
  return s;
}

/** Applies the typists' operations interleaved one by one, round robin. */
function deliverInterleaved(base: RgaState, typed: Typed): RgaState {
  const s = rga.clone(base);
  const longest = Math.max(...typed.ops.map((o) => o.length));
  for (let k = 0; k < longest; k++) {
    typed.ops.forEach((list, i) => {
      const op = list[k];
      if (op !== undefined) applyOk(s, op, typed.authors[i] as Uint8Array);
    });
  }
  return s;
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, at) => [...p.slice(0, at), n - 1, ...p.slice(at)]));
}

/**
 * Delivers the typed runs every way: whole typists in each order, op by op round robin, and as
 * one replica per typist merged in several orders and groupings. Checks that every replica has
 * the same snapshot bytes and returns their text.
 */
function textEverywhere(base: RgaState, typed: Typed): string {
  const results = permutations(typed.ops.length).map((order) => deliver(base, typed, order));
  results.push(deliverInterleaved(base, typed));
  const single = typed.ops.map((_, i) => deliver(base, typed, [i]));
  results.push(
    single.reduce((m, s) => rga.merge(m, s)),
    single.reduceRight((m, s) => rga.merge(m, s)),
    single.reduce((m, s) => rga.merge(s, m)),
  );
  assert.equal(new Set(results.map(bytesOf)).size, 1);
  return rgaText(results[0] as RgaState);
}

function baseDoc(text: string): RgaState {
  const s = rga.create();
  if (text.length > 0) ins(s, author(0x01), 0, text);
  return s;
}

test('two users typing forwards at the same place: each run stays whole, lower author id first, on every replica', () => {
  const base = baseDoc('[]');
  const typed = typeConcurrently(base, 1, [
    { who: author(0x20), text: 'hello', backwards: false },
    { who: author(0x10), text: 'world', backwards: false },
  ]);
  assert.equal(textEverywhere(base, typed), '[worldhello]');
});

test('two users typing backwards (always at the start of their own run): runs stay whole', () => {
  const base = baseDoc('<>');
  const typed = typeConcurrently(base, 1, [
    { who: author(0x10), text: 'abcd', backwards: true },
    { who: author(0x20), text: 'wxyz', backwards: true },
  ]);
  const text = textEverywhere(base, typed);
  assert.ok(text === '<abcdwxyz>' || text === '<wxyzabcd>', text);
});

test('one user forwards, one backwards, one forwards again, all at the same place: three whole runs, same order everywhere', () => {
  const base = baseDoc('|');
  const typed = typeConcurrently(base, 1, [
    { who: author(0x30), text: 'AAA', backwards: false },
    { who: author(0x10), text: 'bbbb', backwards: true },
    { who: author(0x20), text: '😀😀', backwards: false },
  ]);
  const text = textEverywhere(base, typed);
  for (const run of ['AAA', 'bbbb', '😀😀']) assert.ok(text.includes(run), `${run} is split in ${text}`);
});

test('property: concurrent runs typed in either direction at one place never interleave and order the same on every replica', () => {
  const run = fc.record({ len: fc.integer({ min: 1, max: 6 }), backwards: fc.boolean() });
  fc.assert(
    fc.property(fc.array(run, { minLength: 2, maxLength: 3 }), fc.string({ maxLength: 4 }), fc.nat(), fc.nat(), (runs, baseText, posSeed, orderSeed) => {
      const base = baseDoc(baseText);
      const pos = posSeed % (Array.from(baseText).length + 1);
      // Distinct letters per typist, so a run is found by its letter; ids in a drawn order.
      const typists = runs.map((r, i) => ({ who: author(0x10 + ((i + orderSeed) % runs.length) * 0x10), text: String.fromCharCode(0x41 + i).repeat(r.len), backwards: r.backwards }));
      const text = textEverywhere(base, typeConcurrently(base, pos, typists));
      for (const t of typists) assert.ok(text.includes(t.text), `${t.text} is split in ${JSON.stringify(text)}`);
    }),
    { numRuns: 1_000 },
  );
});
