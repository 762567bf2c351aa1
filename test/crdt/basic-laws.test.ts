import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as dagCbor from '@ipld/dag-cbor';
import { HARNESSES, hex, mergeRandomly, replayRandomCausal, simulate, stateArb } from './basic-support.ts';

const RUNS = 1_000;

for (const h of HARNESSES) {
  const { type } = h;
  const bytes = (s: unknown): string => hex(type.encodeState(s));

  test(`${type.name}: merge is commutative, associative and idempotent, and leaves its inputs alone`, () => {
    const arb = stateArb(h);
    fc.assert(
      fc.property(arb, arb, arb, (a, b, c) => {
        const [ea, eb, ec] = [bytes(a), bytes(b), bytes(c)];
        assert.equal(bytes(type.merge(a, b)), bytes(type.merge(b, a)), 'commutative');
        assert.equal(bytes(type.merge(type.merge(a, b), c)), bytes(type.merge(a, type.merge(b, c))), 'associative');
        assert.equal(bytes(type.merge(a, a)), ea, 'idempotent');
        // Merging in something already included changes nothing (a join is an upper bound).
        const ab = type.merge(a, b);
        assert.equal(bytes(type.merge(ab, b)), bytes(ab), 'absorbs');
        assert.deepEqual([bytes(a), bytes(b), bytes(c)], [ea, eb, ec], 'inputs unchanged');
      }),
      { numRuns: RUNS },
    );
  });

  test(`${type.name}: applying all operations to one replica and merging the replicas' states give the same bytes`, () => {
    let diverged = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 30 }), (seed, replicas, steps) => {
        const history = simulate(h, seed, replicas, steps);
        if (new Set(history.replicaStates.map(bytes)).size > 1) diverged++;
        const replayed = replayRandomCausal(h, history);
        const again = replayRandomCausal(h, history);
        const merged = mergeRandomly(h, history.replicaStates, history.rand);
        assert.equal(bytes(merged), bytes(replayed));
        assert.equal(bytes(again), bytes(replayed), 'another causal order');
        assert.deepEqual(type.value(merged), type.value(replayed));
      }),
      { numRuns: RUNS },
    );
    // The histories are not trivial: in most runs the replicas hold different states before merging.
    assert.ok(diverged > RUNS / 2, `only ${diverged} of ${RUNS} histories had replicas that differed`);
  });

  test(`${type.name}: states and operations survive encode/decode (operations through DAG-CBOR too)`, () => {
    fc.assert(
      fc.property(stateArb(h), h.opArb, (state, op) => {
        const encoded = type.encodeState(state);
        const decoded = type.decodeState(encoded);
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.detail);
        assert.equal(hex(type.encodeState(decoded.value)), hex(encoded));
        assert.deepEqual(type.value(decoded.value), type.value(state));

        const wire = dagCbor.decode(dagCbor.encode(type.encodeOp(op)));
        const back = type.decodeOp(wire);
        assert.ok(back.ok, back.ok ? '' : back.detail);
        assert.deepEqual(back.value, op);
        assert.equal(hex(dagCbor.encode(type.encodeOp(back.value))), hex(dagCbor.encode(type.encodeOp(op))));
      }),
      { numRuns: RUNS },
    );
  });

  test(`${type.name}: clone is independent of its source`, () => {
    fc.assert(
      fc.property(stateArb(h), h.opArb, (state, op) => {
        const before = bytes(state);
        const copy = type.clone(state);
        assert.equal(bytes(copy), before);
        const r = type.apply(copy, op, { author: new Uint8Array(32).fill(7), vertex: new Uint8Array(32).fill(9), lamport: 99, index: 3 });
        assert.ok(r.ok);
        assert.equal(bytes(state), before);
      }),
      { numRuns: 200 },
    );
  });
}
