import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { deleteOp, insertOp, rga, rgaLength, rgaText, type RgaState } from '../../src/crdt/rga/index.ts';
import { applyOk, author, bytesOf, causalShuffle, itemOrder, replay, replayReference, runHistory, stepArb } from './rga-support.ts';

const RUNS = 1_000;
const stepsArb = fc.array(stepArb, { maxLength: 24 });
const historyArb = fc.record({ n: fc.integer({ min: 2, max: 4 }), steps: stepsArb, seed: fc.nat() });

test('op-based: any causal delivery order gives the same snapshot bytes, the same as the reference implementation (items, tombstones and order)', () => {
  fc.assert(
    fc.property(historyArb, ({ n, steps, seed }) => {
      const h = runHistory(n, steps);
      const a = causalShuffle(h, seed);
      const b = causalShuffle(h, seed + 1);
      const sa = replay(h, a);
      const sb = replay(h, b);
      assert.equal(bytesOf(sa), bytesOf(sb));
      const ref = replayReference(h, a);
      assert.deepEqual(itemOrder(sa), ref.order());
      assert.deepEqual(rga.value(sa), ref.values());
    }),
    { numRuns: RUNS },
  );
});

test('op-based and state-based agree: merging the replicas equals applying every operation to one replica', () => {
  fc.assert(
    fc.property(historyArb, ({ n, steps, seed }) => {
      const h = runHistory(n, steps);
      const all = replay(h, causalShuffle(h, seed));
      let merged = rga.create();
      const order = [...h.replicas.keys()].sort((x, y) => ((x * 7 + seed) % 5) - ((y * 7 + seed) % 5));
      for (const i of order) merged = rga.merge(merged, h.replicas[i] as RgaState);
      assert.equal(bytesOf(merged), bytesOf(all));
      assert.deepEqual(itemOrder(merged), itemOrder(all));
    }),
    { numRuns: RUNS },
  );
});

test('merge is commutative, associative and idempotent, and changes neither input', () => {
  fc.assert(
    fc.property(fc.record({ steps: stepsArb }), ({ steps }) => {
      const h = runHistory(3, steps);
      const [a, b, c] = h.replicas as [RgaState, RgaState, RgaState];
      const before = [a, b, c].map(bytesOf);
      assert.equal(bytesOf(rga.merge(a, b)), bytesOf(rga.merge(b, a)));
      assert.equal(bytesOf(rga.merge(rga.merge(a, b), c)), bytesOf(rga.merge(a, rga.merge(b, c))));
      assert.equal(bytesOf(rga.merge(a, a)), bytesOf(a));
      assert.equal(bytesOf(rga.merge(rga.merge(a, b), b)), bytesOf(rga.merge(a, b)));
      assert.deepEqual([a, b, c].map(bytesOf), before);
    }),
    { numRuns: RUNS },
  );
});

test('snapshots round-trip: decode(encode(s)) has the same bytes, value, order, and accepts the same next operations', () => {
  fc.assert(
    fc.property(fc.record({ n: fc.integer({ min: 1, max: 3 }), steps: stepsArb, pos: fc.nat() }), ({ n, steps, pos }) => {
      const h = runHistory(n, steps);
      for (const s of h.replicas) {
        const bytes = rga.encodeState(s);
        const back = rga.decodeState(bytes);
        assert.ok(back.ok, back.ok ? '' : back.detail);
        assert.deepEqual(rga.encodeState(back.value), bytes);
        assert.deepEqual(rga.value(back.value), rga.value(s));
        assert.deepEqual(itemOrder(back.value), itemOrder(s));
        const clone = rga.clone(s);
        assert.equal(bytesOf(clone), bytesOf(s));
        // The decoded replica and the original build the same next operation.
        const who = h.authors[0] as Uint8Array;
        const p = pos % (rgaLength(s) + 1);
        const x = insertOp(s, who, p, 'Z');
        const y = insertOp(back.value, who, p, 'Z');
        assert.ok(x.ok && y.ok);
        assert.deepEqual(rga.encodeOp(x.value), rga.encodeOp(y.value));
        applyOk(back.value, y.value, who);
        applyOk(clone, x.value, who);
        assert.equal(bytesOf(back.value), bytesOf(clone));
      }
    }),
    { numRuns: RUNS },
  );
});

test('text positions count code points: edits match a model that splices arrays of code points', () => {
  const chunk = fc.array(fc.constantFrom('a', 'b', 'é', '😀', '𝄞', '\u{10FFFF}', '中'), { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
  const edit = fc.oneof(fc.record({ t: fc.constant('ins' as const), p: fc.nat(), s: chunk }), fc.record({ t: fc.constant('del' as const), p: fc.nat(), n: fc.integer({ min: 1, max: 4 }) }));
  fc.assert(
    fc.property(fc.array(edit, { maxLength: 20 }), (edits) => {
      const who = author(1);
      const s = rga.create();
      const model: string[] = [];
      for (const e of edits) {
        if (e.t === 'ins') {
          const p = e.p % (model.length + 1);
          const op = insertOp(s, who, p, e.s);
          assert.ok(op.ok);
          applyOk(s, op.value, who);
          model.splice(p, 0, ...Array.from(e.s));
        } else if (model.length > 0) {
          const p = e.p % model.length;
          const n = Math.min(e.n, model.length - p);
          const op = deleteOp(s, p, n);
          assert.ok(op.ok);
          applyOk(s, op.value, who);
          model.splice(p, n);
        }
        assert.equal(rgaLength(s), model.length);
        assert.equal(rgaText(s), model.join(''));
      }
      assert.deepEqual(rga.value(s), model);
    }),
    { numRuns: RUNS },
  );
});

test('long concurrent histories (hundreds of runs, so tree nodes split): op-based orders, merge and the reference agree', () => {
  fc.assert(
    fc.property(fc.record({ steps: fc.array(stepArb, { minLength: 400, maxLength: 700 }), seed: fc.nat() }), ({ steps, seed }) => {
      const h = runHistory(3, steps);
      const order = causalShuffle(h, seed);
      const all = replay(h, order);
      const ref = replayReference(h, order);
      assert.deepEqual(itemOrder(all), ref.order());
      let merged = rga.create();
      for (const s of [...h.replicas].reverse()) merged = rga.merge(merged, s);
      assert.equal(bytesOf(merged), bytesOf(all));
      const back = rga.decodeState(rga.encodeState(all));
      assert.ok(back.ok);
      assert.deepEqual(itemOrder(back.value), ref.order());
    }),
    { numRuns: 25 },
  );
});
