import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASIC_TYPE_LIMITS } from '../../src/crdt/basic-limits.ts';
import { CrdtArgumentError } from '../../src/crdt/argument-error.ts';
import { gCounter } from '../../src/crdt/g-counter.ts';
import { gSet } from '../../src/crdt/g-set.ts';
import { lwwRegister } from '../../src/crdt/lww-register.ts';
import { mvRegister } from '../../src/crdt/mv-register.ts';
import { orSet } from '../../src/crdt/or-set.ts';
import { pnCounter } from '../../src/crdt/pn-counter.ts';
import { compareScalars, type Scalar } from '../../src/crdt/scalar.ts';
import { applyOk, hex, id32, origin } from './basic-support.ts';

function leb(n: bigint): number[] {
  const out: number[] = [];
  let rest = n;
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
}

test('g-counter: value is the sum of every increment, exact beyond 2^53', () => {
  const s = gCounter.create();
  assert.equal(gCounter.value(s), 0n);
  const max = BASIC_TYPE_LIMITS.maxCounterStep;
  for (let i = 0; i < 3; i++) applyOk(gCounter, s, gCounter.increment(max), origin(1 + i, 1 + i, 1));
  applyOk(gCounter, s, gCounter.increment(5), origin(1, 4, 2));
  assert.equal(gCounter.value(s), 3n * 2n ** 32n + 5n);
  // Totals that took billions of increments: a snapshot with two authors near 2^62.
  const snapshot = Uint8Array.from([1, 1, 2, ...id32(1, 0xaa), ...leb(2n ** 62n), ...id32(2, 0xaa), ...leb(2n ** 62n + 1n)]);
  const big = gCounter.decodeState(snapshot);
  assert.ok(big.ok, big.ok ? '' : big.detail);
  applyOk(gCounter, big.value, gCounter.increment(1), origin(2, 9, 9));
  assert.equal(gCounter.value(big.value), 2n ** 63n + 2n);
  assert.notEqual(BigInt(Number(gCounter.value(big.value))), gCounter.value(big.value), 'a float64 could not hold it');
});

test('g-counter: merge keeps each author once (the larger total), so a replica merged with its own past does not double', () => {
  const a = gCounter.create();
  applyOk(gCounter, a, gCounter.increment(3), origin(1, 1, 1));
  const past = gCounter.clone(a);
  applyOk(gCounter, a, gCounter.increment(4), origin(1, 2, 2));
  const b = gCounter.create();
  applyOk(gCounter, b, gCounter.increment(10), origin(2, 3, 1));
  assert.equal(gCounter.value(gCounter.merge(a, past)), 7n);
  assert.equal(gCounter.value(gCounter.merge(gCounter.merge(a, past), b)), 17n);
});

test('g-counter: a forking author (two vertices, neither in the other\'s past) is counted in full by operations, by its larger branch by merge', () => {
  // The documented limit of per-author totals (docs/CRDT.md): replicas must not merge states
  // across a fork and expect the sum; the DAG replay is the reference.
  const branch1 = gCounter.create();
  applyOk(gCounter, branch1, gCounter.increment(2), origin(1, 1, 1));
  const branch2 = gCounter.create();
  applyOk(gCounter, branch2, gCounter.increment(3), origin(1, 2, 1));
  const replay = gCounter.clone(branch1);
  applyOk(gCounter, replay, gCounter.increment(3), origin(1, 2, 1));
  assert.equal(gCounter.value(replay), 5n);
  assert.equal(gCounter.value(gCounter.merge(branch1, branch2)), 3n);
});

test('pn-counter: value is increments minus decrements and may go negative', () => {
  const s = pnCounter.create();
  applyOk(pnCounter, s, pnCounter.increment(5), origin(1, 1, 1));
  applyOk(pnCounter, s, pnCounter.decrement(8), origin(2, 2, 1));
  applyOk(pnCounter, s, pnCounter.decrement(1), origin(1, 3, 2));
  assert.equal(pnCounter.value(s), -4n);
  const other = pnCounter.create();
  applyOk(pnCounter, other, pnCounter.increment(10), origin(3, 4, 1));
  assert.equal(pnCounter.value(pnCounter.merge(s, other)), 6n);
});

test('counters: local constructors refuse steps outside 1..2^32', () => {
  for (const bad of [0, -1, 1.5, 2 ** 32 + 1, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => gCounter.increment(bad), CrdtArgumentError, String(bad));
    assert.throws(() => pnCounter.decrement(bad), CrdtArgumentError, String(bad));
  }
  assert.throws(() => gCounter.increment(0), (e: unknown) => e instanceof CrdtArgumentError && e.code === 'ERR_CRDT_ARGUMENT');
});

test('g-set: union of adds, repeats ignored, value in canonical scalar order', () => {
  const s = gSet.create();
  const values: Scalar[] = ['b', Uint8Array.of(2), 1, null, 'a', true, -3, false, Uint8Array.of(1, 0), 'a', 1, '\u{1F600}', '\uFFFD'];
  values.forEach((v, i) => applyOk(gSet, s, gSet.add(v), origin(1, 1 + i, 1 + i)));
  assert.deepEqual(gSet.value(s), [null, false, true, -3, 1, 'a', 'b', '\uFFFD', '\u{1F600}', Uint8Array.of(1, 0), Uint8Array.of(2)]);
  assert.ok(gSet.has(s, 'a'));
  assert.ok(!gSet.has(s, 'c'));
  // -0 is the number 0.
  applyOk(gSet, s, gSet.add(-0), origin(1, 50, 50));
  assert.ok(gSet.has(s, 0));
  assert.equal(gSet.value(s).filter((v) => v === 0).length, 1);
});

test('scalar order: strings compare by code point (UTF-8 bytes), not UTF-16 units', () => {
  // U+FFFD is one UTF-16 unit above the surrogates of U+1F600, yet below it in code point order.
  assert.ok(compareScalars('\uFFFD', '\u{1F600}') < 0);
  assert.ok('\uFFFD' > '\u{1F600}');
  assert.ok(compareScalars('a', 'ab') < 0);
  assert.ok(compareScalars(Uint8Array.of(1), Uint8Array.of(1, 0)) < 0);
  assert.ok(compareScalars(2, 10) < 0);
  assert.ok(compareScalars(true, 0) < 0);
});

test('or-set: add, remove, re-add; an element re-added keeps one live dot', () => {
  const s = orSet.create();
  const [add1] = orSet.add(s, 'x');
  applyOk(orSet, s, add1, origin(1, 1, 1));
  assert.deepEqual(orSet.value(s), ['x']);
  const [add2] = orSet.add(s, 'x');
  assert.equal(add2?.d.length, 1, 'the second add supersedes the first');
  applyOk(orSet, s, add2, origin(1, 2, 2));
  assert.equal(s.store.live.size, 1);
  const removes = orSet.remove(s, 'x');
  assert.equal(removes.length, 1);
  applyOk(orSet, s, removes[0], origin(1, 3, 3));
  assert.deepEqual(orSet.value(s), []);
  assert.deepEqual(orSet.remove(s, 'x'), [], 'nothing to remove');
  applyOk(orSet, s, orSet.add(s, 'x')[0], origin(1, 4, 4));
  assert.ok(orSet.has(s, 'x'));
});

test('or-set: a concurrent add and remove of one element: the add wins, in either order and by merge', () => {
  const base = orSet.create();
  applyOk(orSet, base, orSet.add(base, 'x')[0], origin(1, 1, 1));
  const alice = orSet.clone(base);
  const bob = orSet.clone(base);
  const remove = orSet.remove(alice, 'x')[0];
  const add = orSet.add(bob, 'x')[0];
  applyOk(orSet, alice, remove, origin(1, 2, 2));
  applyOk(orSet, bob, add, origin(2, 3, 2));
  assert.deepEqual(orSet.value(alice), []);
  const merged = orSet.merge(alice, bob);
  assert.deepEqual(orSet.value(merged), ['x']);
  // Op-based, both delivery orders.
  const r1 = orSet.clone(alice);
  applyOk(orSet, r1, add, origin(2, 3, 2));
  const r2 = orSet.clone(bob);
  applyOk(orSet, r2, remove, origin(1, 2, 2));
  assert.deepEqual(orSet.value(r1), ['x']);
  assert.equal(hex(orSet.encodeState(r1)), hex(orSet.encodeState(merged)));
  assert.equal(hex(orSet.encodeState(r2)), hex(orSet.encodeState(merged)));
});

test('or-set: removed, then merged with an older replica that still has the element: stays removed', () => {
  const a = orSet.create();
  applyOk(orSet, a, orSet.add(a, 'x')[0], origin(1, 1, 1));
  applyOk(orSet, a, orSet.add(a, 'y')[0], origin(1, 2, 2));
  const older = orSet.clone(a);
  applyOk(orSet, a, orSet.remove(a, 'x')[0], origin(1, 3, 3));
  assert.deepEqual(orSet.value(orSet.merge(a, older)), ['y']);
  assert.deepEqual(orSet.value(orSet.merge(older, a)), ['y']);
  // And through a snapshot round trip of the older replica.
  const decoded = orSet.decodeState(orSet.encodeState(older));
  assert.ok(decoded.ok);
  assert.deepEqual(orSet.value(orSet.merge(decoded.value, a)), ['y']);
});

test('or-set: a remove delivered before the add it names (forged order) still removes it', () => {
  const s = orSet.create();
  applyOk(orSet, s, { k: 'ors.rm', d: [[id32(5, 0xbb), 0]] }, origin(2, 9, 9));
  applyOk(orSet, s, { k: 'ors.add', v: 'x', d: [] }, origin(1, 5, 1));
  assert.deepEqual(orSet.value(s), []);
});

test('or-set: more live dots than one operation may name are removed by several operations', () => {
  const s = orSet.create();
  const n = BASIC_TYPE_LIMITS.maxDotsPerOp + 5;
  // Concurrent adds of one element (none observed the others): one vertex, many indices.
  for (let i = 0; i < n; i++) applyOk(orSet, s, { k: 'ors.add', v: 'x', d: [] }, origin(1, 1, 1, i));
  const removes = orSet.remove(s, 'x');
  assert.equal(removes.length, 2);
  removes.forEach((op, i) => applyOk(orSet, s, op, origin(1, 2, 2, i)));
  assert.deepEqual(orSet.value(s), []);
  const adds = orSet.add(s, 'x');
  assert.equal(adds.length, 1);
});

test('lww-register: undefined before a write; the larger Lamport clock wins', () => {
  const s = lwwRegister.create();
  assert.equal(lwwRegister.value(s), undefined);
  applyOk(lwwRegister, s, lwwRegister.write('late'), origin(1, 1, 5));
  applyOk(lwwRegister, s, lwwRegister.write('early'), origin(9, 2, 4));
  assert.equal(lwwRegister.value(s), 'late');
  applyOk(lwwRegister, s, lwwRegister.write(null), origin(1, 3, 6));
  assert.equal(lwwRegister.value(s), null, 'null is a value, not "unset"');
});

test('lww-register: equal Lamport clocks are broken by author id (larger wins), in any order and by merge', () => {
  const low = origin(1, 9, 7); // author 0x01aa.., vertex 0x09bb.. (larger vertex id)
  const high = origin(2, 1, 7); // author 0x02aa.., vertex 0x01bb..
  const a = lwwRegister.create();
  applyOk(lwwRegister, a, lwwRegister.write('from 1'), low);
  applyOk(lwwRegister, a, lwwRegister.write('from 2'), high);
  const b = lwwRegister.create();
  applyOk(lwwRegister, b, lwwRegister.write('from 2'), high);
  applyOk(lwwRegister, b, lwwRegister.write('from 1'), low);
  assert.equal(lwwRegister.value(a), 'from 2');
  assert.equal(lwwRegister.value(b), 'from 2');
  const ra = lwwRegister.create();
  const rb = lwwRegister.create();
  applyOk(lwwRegister, ra, lwwRegister.write('from 1'), low);
  applyOk(lwwRegister, rb, lwwRegister.write('from 2'), high);
  assert.equal(lwwRegister.value(lwwRegister.merge(ra, rb)), 'from 2');
  assert.equal(lwwRegister.value(lwwRegister.merge(rb, ra)), 'from 2');
  assert.equal(lwwRegister.stamp(a)?.author[0], 2);
});

test('lww-register: one author, one clock: vertex id decides, then the later index in a vertex', () => {
  const s = lwwRegister.create();
  applyOk(lwwRegister, s, lwwRegister.write('v2'), origin(1, 2, 3));
  applyOk(lwwRegister, s, lwwRegister.write('v1'), origin(1, 1, 3));
  assert.equal(lwwRegister.value(s), 'v2');
  applyOk(lwwRegister, s, lwwRegister.write('v2 second'), origin(1, 2, 3, 1));
  applyOk(lwwRegister, s, lwwRegister.write('v2 first'), origin(1, 2, 3, 0));
  assert.equal(lwwRegister.value(s), 'v2 second');
});

test('mv-register: concurrent writes all survive, sorted; a write that saw them replaces them all', () => {
  const base = mvRegister.create();
  assert.deepEqual(mvRegister.value(base), []);
  applyOk(mvRegister, base, mvRegister.write(base, 'start')[0], origin(1, 1, 1));
  const replicas = [mvRegister.clone(base), mvRegister.clone(base), mvRegister.clone(base)] as const;
  const values = ['zeta', 'alpha', 7];
  const ops = replicas.map((r, i) => mvRegister.write(r, values[i] as Scalar)[0]);
  ops.forEach((op, i) => applyOk(mvRegister, replicas[i], op, origin(2 + i, 2 + i, 2)));
  const merged = replicas.reduce((x, y) => mvRegister.merge(x, y));
  assert.deepEqual(mvRegister.value(merged), [7, 'alpha', 'zeta']);
  // Op-based: one replica receives the others' writes.
  const r0 = replicas[0];
  ops.slice(1).forEach((op, i) => applyOk(mvRegister, r0, op, origin(3 + i, 3 + i, 2)));
  assert.deepEqual(mvRegister.value(r0), [7, 'alpha', 'zeta']);
  assert.equal(hex(mvRegister.encodeState(r0)), hex(mvRegister.encodeState(merged)));
  // Two concurrent writes of one value show it once.
  const same = mvRegister.clone(merged);
  applyOk(mvRegister, same, { k: 'mv.set', v: 'alpha', d: [] }, origin(9, 9, 9));
  assert.deepEqual(mvRegister.value(same), [7, 'alpha', 'zeta']);
  // A write that observed them all leaves only itself.
  const resolve = mvRegister.write(merged, 'resolved')[0];
  assert.equal(resolve?.d.length, 3);
  applyOk(mvRegister, merged, resolve, origin(1, 10, 3));
  assert.deepEqual(mvRegister.value(merged), ['resolved']);
  // ... and stays so after merging with a replica that still has the old writes.
  assert.deepEqual(mvRegister.value(mvRegister.merge(replicas[1], merged)), ['resolved']);
});

test('mv-register: a write over more live values than one operation may name takes several operations and leaves one value', () => {
  const s = mvRegister.create();
  const n = BASIC_TYPE_LIMITS.maxDotsPerOp * 2 + 1;
  for (let i = 0; i < n; i++) applyOk(mvRegister, s, { k: 'mv.set', v: i, d: [] }, origin(1, 1, 1, i));
  assert.equal(mvRegister.value(s).length, n);
  const ops = mvRegister.write(s, 'one');
  assert.equal(ops.length, 3);
  ops.forEach((op, i) => applyOk(mvRegister, s, op, origin(1, 2, 2, i)));
  assert.deepEqual(mvRegister.value(s), ['one']);
});

test('values hand out copies: changing returned bytes does not change the state', () => {
  const s = gSet.create();
  const input = Uint8Array.of(1, 2, 3);
  applyOk(gSet, s, gSet.add(input), origin(1, 1, 1));
  input[0] = 9;
  const out = gSet.value(s)[0] as Uint8Array;
  out[1] = 9;
  assert.deepEqual(gSet.value(s), [Uint8Array.of(1, 2, 3)]);
});

test('apply refuses an origin no vertex can have (a programming error)', () => {
  const bad = [
    { ...origin(1, 1, 1), author: new Uint8Array(31) },
    { ...origin(1, 1, 1), vertex: new Uint8Array(33) },
    { ...origin(1, 1, 1), lamport: 0 },
    { ...origin(1, 1, 1), index: -1 },
    { ...origin(1, 1, 1), index: BASIC_TYPE_LIMITS.maxOpIndex + 1 },
  ];
  for (const at of bad) {
    const s = gCounter.create();
    assert.throws(() => gCounter.apply(s, gCounter.increment(1), at), CrdtArgumentError);
    assert.equal(gCounter.value(s), 0n);
  }
});

test('Buffers in (SQLite hands out Buffers) give plain, unaliased Uint8Arrays out', () => {
  const s = orSet.create();
  const input = Buffer.from([1, 2, 3]);
  applyOk(orSet, s, orSet.add(s, input)[0], { ...origin(1, 1, 1), vertex: Buffer.from(id32(1, 0xbb)) });
  input[0] = 9;
  const snapshot = Buffer.from(orSet.encodeState(s));
  const decoded = orSet.decodeState(snapshot);
  assert.ok(decoded.ok);
  snapshot.fill(0);
  const [value] = orSet.value(decoded.value);
  assert.equal(Object.getPrototypeOf(value), Uint8Array.prototype);
  assert.deepEqual(value, Uint8Array.of(1, 2, 3));
  const dot = [...decoded.value.store.live.values()][0]?.dot;
  assert.equal(Object.getPrototypeOf(dot?.vertex), Uint8Array.prototype);
  assert.deepEqual(dot?.vertex, id32(1, 0xbb));
});
