import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import fc from 'fast-check';
import { CrdtArgumentError } from '../../src/crdt/argument-error.ts';
import { deleteOp, insertOp, rga, RGA_LIMITS, rgaText, type RgaOp, type RgaState } from '../../src/crdt/rga/index.ts';
import { prng } from '../support/fixtures.ts';
import { assertRefused as refused } from './refusal.ts';
import { at, author, bytesOf, del, ins, runHistory, stepArb } from './rga-support.ts';

const A = author(0x10);
const B = author(0x20);
const STRANGER = author(0x77);

/** A small document by A and B with a tombstone: "ab😀d" plus deleted "x". */
function sample(): RgaState {
  const s = rga.create();
  ins(s, A, 0, 'ab');
  ins(s, B, 2, 'x😀d');
  del(s, A, 2, 1);
  return s;
}

/** Applies `op`, expects `reason`, and checks the state did not change at all. */
function refusedUntouched(state: RgaState, op: unknown, who: Uint8Array, reason: string): void {
  const before = bytesOf(state);
  const text = rgaText(state);
  refused(rga.apply(state, op as RgaOp, at(who)), reason);
  assert.equal(bytesOf(state), before);
  assert.equal(rgaText(state), text);
  // Still usable: the next honest operation applies.
  const next = insertOp(state, who, 0, '!');
  assert.ok(next.ok);
  const copy = rga.clone(state);
  assert.ok(rga.apply(copy, next.value, at(who)).ok);
}

test('local constructors: positions that do not exist are bad-position, bad content malformed or limit; nothing changes', () => {
  const s = sample();
  const before = bytesOf(s);
  refused(insertOp(s, A, 5, 'z'), 'bad-position');
  refused(insertOp(s, A, -1, 'z'), 'bad-position');
  refused(insertOp(s, A, 1.5, 'z'), 'bad-position');
  refused(deleteOp(s, 3, 2), 'bad-position');
  refused(deleteOp(s, 4, 1), 'bad-position');
  refused(deleteOp(s, 0, 0), 'bad-position');
  refused(deleteOp(rga.create(), 0, 1), 'bad-position');
  refused(insertOp(s, A, 0, ''), 'malformed');
  refused(insertOp(s, A, 0, []), 'malformed');
  refused(insertOp(s, A, 0, 'a\ud800b'), 'malformed');
  refused(insertOp(s, A, 0, [Number.NaN]), 'malformed');
  refused(insertOp(s, A, 0, 'x'.repeat(RGA_LIMITS.maxInsertElements + 1)), 'limit');
  refused(insertOp(s, A, 0, ['y'.repeat(RGA_LIMITS.maxElementBytes + 1)]), 'limit');
  assert.equal(bytesOf(s), before);
  assert.throws(() => insertOp(s, new Uint8Array(31), 0, 'z'), CrdtArgumentError);
});

test('inserts: seq gaps and repeats are out-of-order, unknown or misordered origins bad-position; state untouched', () => {
  const s = sample();
  const good = insertOp(s, A, 1, 'Q');
  assert.ok(good.ok);
  const op = good.value as Extract<RgaOp, { kind: 'rga.ins' }>;
  refusedUntouched(s, { ...op, seq: op.seq + 1 }, A, 'out-of-order');
  refusedUntouched(s, { ...op, seq: op.seq - 1 }, A, 'out-of-order');
  refusedUntouched(s, { ...op, seq: 1 }, STRANGER, 'out-of-order');
  refusedUntouched(s, { ...op, left: { author: STRANGER, seq: 0 } }, A, 'bad-position');
  refusedUntouched(s, { ...op, left: { author: A, seq: 2 } }, A, 'bad-position');
  refusedUntouched(s, { ...op, right: { author: B, seq: 3 } }, A, 'bad-position');
  refusedUntouched(s, { ...op, right: { author: B, seq: 0.5 } }, A, 'bad-position');
  // Right origin before the left one: "a" (A:0) after "d" (B:3).
  refusedUntouched(s, { ...op, left: { author: B, seq: 3 }, right: { author: A, seq: 0 } }, A, 'bad-position');
  refusedUntouched(s, { ...op, left: { author: A, seq: 1 }, right: { author: A, seq: 1 } }, A, 'bad-position');
  refusedUntouched(s, { ...op, content: '' }, A, 'malformed');
  refusedUntouched(s, { ...op, content: '\udc00' }, A, 'malformed');
  refusedUntouched(s, { ...op, content: [{}] }, A, 'malformed');
  refusedUntouched(s, { ...op, content: 'z'.repeat(RGA_LIMITS.maxInsertElements + 1) }, A, 'limit');
  assert.throws(() => rga.apply(s, op, { ...at(A), author: new Uint8Array(5) }), CrdtArgumentError);
  assert.ok(rga.apply(s, op, at(A)).ok);
});

test('deletes: unknown authors, seqs beyond what exists, empty or absurd ranges are refused whole; state untouched', () => {
  const s = sample();
  refusedUntouched(s, { kind: 'rga.del', ranges: [{ author: STRANGER, seq: 0, len: 1 }] }, A, 'bad-position');
  refusedUntouched(s, { kind: 'rga.del', ranges: [{ author: A, seq: 0, len: 1 }, { author: B, seq: 3, len: 2 }] }, A, 'bad-position');
  refusedUntouched(s, { kind: 'rga.del', ranges: [{ author: A, seq: 0, len: 0 }] }, A, 'bad-position');
  refusedUntouched(s, { kind: 'rga.del', ranges: [{ author: A, seq: -1, len: 2 }] }, A, 'bad-position');
  refusedUntouched(s, { kind: 'rga.del', ranges: [{ author: A, seq: 0, len: 2 ** 60 }] }, A, 'bad-position');
  refusedUntouched(s, { kind: 'rga.del', ranges: [] }, A, 'malformed');
  const many = Array.from({ length: RGA_LIMITS.maxDeleteRanges + 1 }, () => ({ author: A, seq: 0, len: 1 }));
  refusedUntouched(s, { kind: 'rga.del', ranges: many }, A, 'limit');
  // Deleting twice is not an error: deletes are idempotent.
  const again = { kind: 'rga.del' as const, ranges: [{ author: B, seq: 0, len: 2 }] };
  assert.ok(rga.apply(s, again, at(A)).ok);
  const once = bytesOf(s);
  assert.ok(rga.apply(s, again, at(B)).ok);
  assert.equal(bytesOf(s), once);
  assert.equal(rgaText(s), 'abd');
});

test('operations of another type are wrong-type; unknown kinds malformed', () => {
  const s = sample();
  refusedUntouched(s, { kind: 'gc.inc', n: 1 }, A, 'wrong-type');
  refusedUntouched(s, { kind: 'rga.move' }, A, 'malformed');
  refusedUntouched(s, { kind: 'nope' }, A, 'malformed');
  refused(rga.decodeOp({ k: 'gc.inc', n: 1 }), 'wrong-type');
  refused(rga.decodeOp({ k: 'ors.add', e: 'x' }), 'wrong-type');
});

test('decodeOp refuses every malformed shape and absurd number', () => {
  const id = (seq: number, who = A): unknown[] => [who, seq];
  const cases: [unknown, string][] = [
    [null, 'malformed'],
    [[1, 2], 'malformed'],
    [{ s: 0, t: 'a' }, 'malformed'],
    [{ k: 'rga.ins', s: 0 }, 'malformed'],
    [{ k: 'rga.ins', s: 0, t: 'a', v: ['a'] }, 'malformed'],
    [{ k: 'rga.ins', s: -1, t: 'a' }, 'malformed'],
    [{ k: 'rga.ins', s: 1.5, t: 'a' }, 'malformed'],
    [{ k: 'rga.ins', s: 2 ** 53, t: 'a' }, 'malformed'],
    [{ k: 'rga.ins', s: RGA_LIMITS.maxSeq - 1, t: 'ab' }, 'limit'],
    [{ k: 'rga.ins', s: 0, t: 7 }, 'malformed'],
    [{ k: 'rga.ins', s: 0, v: 'a' }, 'malformed'],
    [{ k: 'rga.ins', s: 0, t: '' }, 'malformed'],
    [{ k: 'rga.ins', s: 0, t: 'a\udfff' }, 'malformed'],
    [{ k: 'rga.ins', s: 0, v: [] }, 'malformed'],
    [{ k: 'rga.ins', s: 0, v: [undefined] }, 'malformed'],
    [{ k: 'rga.ins', s: 0, v: Array.from({ length: RGA_LIMITS.maxInsertElements + 1 }, () => 1) }, 'limit'],
    [{ k: 'rga.ins', s: 0, t: 'a', l: [A] }, 'malformed'],
    [{ k: 'rga.ins', s: 0, t: 'a', l: [new Uint8Array(31), 0] }, 'malformed'],
    [{ k: 'rga.ins', s: 0, t: 'a', r: id(-1) }, 'malformed'],
    [{ k: 'rga.ins', s: 0, t: 'a', l: null }, 'malformed'],
    [{ k: 'rga.ins', s: 0, t: 'a', d: [] }, 'malformed'],
    [{ k: 'rga.ins', s: 0, t: 'a', extra: 1 }, 'malformed'],
    [{ k: 'rga.del' }, 'malformed'],
    [{ k: 'rga.del', d: [] }, 'malformed'],
    [{ k: 'rga.del', d: [[A, 0]] }, 'malformed'],
    [{ k: 'rga.del', d: [[A, 0, 0]] }, 'malformed'],
    [{ k: 'rga.del', d: [[A, 0, 2 ** 60]] }, 'malformed'],
    [{ k: 'rga.del', d: [[A, RGA_LIMITS.maxSeq - 1, 2]] }, 'limit'],
    [{ k: 'rga.del', d: [['a', 0, 1]] }, 'malformed'],
    [{ k: 'rga.del', d: [[A, 0, 1]], t: 'x' }, 'malformed'],
    [{ k: 'rga.del', d: Array.from({ length: RGA_LIMITS.maxDeleteRanges + 1 }, () => [A, 0, 1]) }, 'limit'],
    [{ k: 'rga.' + 'x'.repeat(40) }, 'malformed'],
  ];
  for (const [value, reason] of cases) refused(rga.decodeOp(value), reason);
});

test('snapshots: another type is wrong-type; truncated, extended, non-canonical or inconsistent bytes are refused', () => {
  const good = rga.encodeState(sample());
  assert.ok(rga.decodeState(good).ok);
  refused(rga.decodeState(Uint8Array.of(1, 1, 0)), 'wrong-type');
  refused(rga.decodeState(Uint8Array.of(7)), 'malformed');
  refused(rga.decodeState(Uint8Array.of(7, 2, 0, 0)), 'malformed');
  refused(rga.decodeState(new Uint8Array([...good, 0])), 'malformed');
  for (let cut = 0; cut < good.length; cut++) assert.equal(rga.decodeState(good.subarray(0, cut)).ok, false, `cut at ${cut}`);
  // The empty state: the header, no authors, empty text.
  assert.deepEqual(rga.encodeState(rga.create()), Uint8Array.of(7, 1, 0, 0));
  // Absurd counts are refused before anything is allocated.
  refused(rga.decodeState(Uint8Array.of(7, 1, 0xff, 0xff, 0xff, 0xff, 0x0f)), 'limit');
  refused(rga.decodeState(Uint8Array.of(7, 1, 0x80, 0x80, 0x04)), 'malformed');
});

test('random and mutated snapshot bytes never throw: refused, or accepted only in canonical form (a few thousand)', () => {
  const histories = fc.sample(fc.array(stepArb, { minLength: 5, maxLength: 30 }), { numRuns: 40, seed: 7 });
  const seeds = histories.flatMap((steps) => runHistory(3, steps).replicas.map((s) => rga.encodeState(s)));
  const rand = prng(99);
  let accepted = 0;
  let tried = 0;
  for (const original of seeds) {
    for (let k = 0; k < 40; k++) {
      const bytes = Uint8Array.from(original);
      const edits = 1 + Math.floor(rand() * 3);
      let mutated: Uint8Array = bytes;
      for (let e = 0; e < edits; e++) {
        const kind = Math.floor(rand() * 4);
        const i = 2 + Math.floor(rand() * Math.max(1, mutated.length - 2));
        if (kind === 0) mutated[i] = Math.floor(rand() * 256);
        else if (kind === 1) mutated[i] = (mutated[i] as number) ^ (1 << Math.floor(rand() * 8));
        else if (kind === 2) mutated = mutated.subarray(0, i);
        else mutated = new Uint8Array([...mutated.subarray(0, i), Math.floor(rand() * 256), ...mutated.subarray(i)]);
      }
      tried++;
      const result = rga.decodeState(mutated);
      if (result.ok) {
        accepted++;
        assert.deepEqual(rga.encodeState(result.value), mutated);
        rga.value(result.value);
        rgaText(result.value);
        const op = insertOp(result.value, A, 0, 'z');
        assert.ok(op.ok);
        assert.ok(rga.apply(result.value, op.value, at(A)).ok);
      } else assert.ok(['malformed', 'limit'].includes(result.reason), result.reason);
    }
  }
  for (let k = 0; k < 1_000; k++) {
    const bytes = new Uint8Array(2 + Math.floor(rand() * 80));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
    bytes[0] = 7;
    bytes[1] = 1;
    tried++;
    const result = rga.decodeState(bytes);
    if (result.ok) assert.deepEqual(rga.encodeState(result.value), bytes);
  }
  assert.ok(tried >= 3_000, `${tried}`);
  // Some mutations (a changed letter, a moved deletion) are still valid snapshots; most are not.
  assert.ok(accepted > 0 && accepted < tried / 2, `${accepted} of ${tried} accepted`);
});

test('operations survive real DAG-CBOR and every decoded shape is re-checked', () => {
  const s = sample();
  const op = insertOp(s, A, 2, ['list', 1.5, null, true, Uint8Array.of(1, 2), '🙂']);
  assert.ok(op.ok);
  const wire = dagCbor.decode(dagCbor.encode(rga.encodeOp(op.value)));
  const back = rga.decodeOp(wire);
  assert.ok(back.ok);
  assert.deepEqual(back.value, op.value);
  const d = deleteOp(s, 0, 3);
  assert.ok(d.ok);
  const dBack = rga.decodeOp(dagCbor.decode(dagCbor.encode(rga.encodeOp(d.value))));
  assert.ok(dBack.ok);
  assert.deepEqual(dBack.value, d.value);
});
