import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVertex, Dag, decodeWithId, idKey, type DecodedVertex } from '../../src/dag/index.ts';
import { fastProvider, makeAuthor, topicOf } from '../support/fixtures.ts';

const alice = makeAuthor(1);
const bob = makeAuthor(2);
const topic = topicOf(1);
const vx = (parents: DecodedVertex[], tag: number, t = topic): DecodedVertex =>
  createVertex(
    { topic: t, parents: parents.map((p) => p.id), lamport: 1 + Math.max(0, ...parents.map((p) => p.lamport)), payload: Uint8Array.of(tag) },
    alice,
    fastProvider,
  );
const keys = (ids: Uint8Array[]): string[] => ids.map(idKey).sort();

test('frontier evolution of PIP-1: {A,B,C} → D(A,B) gives {C,D} → E(C,D) gives {E}', () => {
  const dag = new Dag();
  const [a, b, c] = [vx([], 1), vx([], 2), vx([], 3)] as [DecodedVertex, DecodedVertex, DecodedVertex];
  for (const v of [a, b, c]) assert.equal(dag.add(v).status, 'added');
  assert.deepEqual(keys(dag.frontier(topic)), [a.key, b.key, c.key].sort());
  const d = vx([a, b], 4);
  dag.add(d);
  assert.deepEqual(keys(dag.frontier(topic)), [c.key, d.key].sort());
  const e = vx([c, d], 5);
  dag.add(e);
  assert.deepEqual(keys(dag.frontier(topic)), [e.key]);
  assert.deepEqual(dag.nextParents(topic), { parents: [e.id], lamport: e.lamport + 1 });
});

test('add is idempotent: a second add is a duplicate and changes nothing', () => {
  const dag = new Dag();
  const a = vx([], 1);
  assert.equal(dag.add(a).status, 'added');
  assert.equal(dag.add(a).status, 'duplicate');
  assert.equal(dag.size, 1);
});

test('quarantine: a vertex waits for missing parents, reports them, and is released in causal order', () => {
  const dag = new Dag();
  const a = vx([], 1);
  const b = vx([a], 2);
  const c = vx([b], 3);
  const d = vx([a, c], 4);
  const q1 = dag.add(d);
  assert.equal(q1.status, 'quarantined');
  assert.ok(q1.status === 'quarantined' && keys(q1.missing).join() === [a.key, c.key].sort().join());
  const q2 = dag.add(c);
  // c is now waiting too, so only a and b are wanted
  assert.ok(q2.status === 'quarantined' && keys(q2.missing).join() === b.key);
  assert.deepEqual(keys(dag.quarantine.wanted()), [a.key, b.key].sort());
  // offered again while waiting: still quarantined (not a duplicate: it is not durable anywhere)
  const again = dag.add(d);
  assert.ok(again.status === 'quarantined' && keys(again.missing).join() === a.key); // c is waiting here too
  assert.equal(dag.quarantine.size, 2);
  assert.equal(dag.add(b).status, 'quarantined');
  const out = dag.add(a);
  assert.equal(out.status, 'added');
  assert.ok(out.status === 'added');
  assert.deepEqual(out.added.map((v) => v.key), [a.key, b.key, c.key, d.key]);
  assert.equal(dag.quarantine.size, 0);
  assert.equal(dag.quarantine.bytes, 0);
  assert.deepEqual(keys(dag.frontier(topic)), [d.key]);
});

test('ancestors, descendants, and topological order by (lamport, id)', () => {
  const dag = new Dag();
  const a = vx([], 1);
  const b1 = vx([a], 2);
  const b2 = vx([a], 3);
  const c = vx([b1, b2], 4);
  const other = vx([], 9, topicOf(2));
  for (const v of [a, b1, b2, c, other]) dag.add(v);
  assert.deepEqual([...dag.ancestors([c.id])].sort(), [a.key, b1.key, b2.key].sort());
  assert.deepEqual([...dag.descendants([a.id])].sort(), [b1.key, b2.key, c.key].sort());
  assert.deepEqual([...dag.descendants([c.id])], []);
  const order = dag.topologicalOrder(topic).map((m) => m.key);
  assert.deepEqual(order, [a.key, ...[b1.key, b2.key].sort(), c.key]);
  assert.equal(dag.topologicalOrder().length, 5);
  assert.deepEqual(dag.topics(), [idKey(topic).slice(0, 32), idKey(topicOf(2)).slice(0, 32)].sort());
  assert.equal(dag.topicSize(topic), 4);
});

test('missingFor: what a peer with frontier F lacks, parents first', () => {
  const dag = new Dag();
  const a = vx([], 1);
  const b = vx([a], 2);
  const fork1 = vx([b], 3);
  const fork2 = vx([b], 4);
  const m = vx([fork1, fork2], 5);
  for (const v of [a, b, fork1, fork2, m]) dag.add(v);
  assert.deepEqual(dag.missingFor(topic, [b.id]).map((v) => v.key), [...[fork1.key, fork2.key].sort(), m.key]);
  assert.deepEqual(dag.missingFor(topic, [fork1.id]).map((v) => v.key), [fork2.key, m.key]);
  assert.deepEqual(dag.missingFor(topic, [m.id]), []);
  assert.equal(dag.missingFor(topic, []).length, 5);
  // an id we do not hold tells us nothing about the rest of the peer's history
  const unknown = fastProvider.sha3_256(Uint8Array.of(42));
  assert.deepEqual(dag.missingFor(topic, [unknown, fork2.id]).map((v) => v.key), [fork1.key, m.key]);
});

test('retract takes back the newest vertices and restores the frontier; refuses to orphan children', () => {
  const dag = new Dag();
  const a = vx([], 1);
  const b = vx([a], 2);
  const c = vx([b], 3);
  for (const v of [a, b, c]) dag.add(v);
  assert.throws(() => dag.retract([b.key]), { code: 'ERR_RETRACT_HAS_CHILDREN' });
  dag.retract([c.key, b.key]);
  assert.deepEqual(keys(dag.frontier(topic)), [a.key]);
  assert.equal(dag.size, 1);
  assert.equal(dag.add(b).status, 'added');
  dag.retract([b.key, a.key]);
  assert.equal(dag.size, 0);
  assert.deepEqual(dag.topics(), []);
});

test('nextParents caps the parent count at the limit, keeping the newest', () => {
  const dag = new Dag();
  const roots = Array.from({ length: 70 }, (_, i) => vx([], 100 + i));
  for (const r of roots) dag.add(r);
  const { parents, lamport } = dag.nextParents(topic);
  assert.equal(parents.length, 64);
  assert.equal(lamport, 2);
  const merged = createVertex({ topic, parents, lamport, payload: new Uint8Array(1) }, alice, fastProvider);
  assert.equal(dag.add(merged).status, 'added');
  assert.equal(dag.frontier(topic).length, 7);
});

test("nextParents keeps the author's own latest vertex in the new vertex's past when the frontier is cut", () => {
  const dag = new Dag();
  const bobRoot = createVertex({ topic, parents: [], lamport: 1, payload: Uint8Array.of(0) }, bob, fastProvider);
  const aliceRoot = vx([], 1);
  dag.add(bobRoot);
  dag.add(aliceRoot);
  const aliceNext = vx([aliceRoot], 2);
  dag.add(aliceNext);
  for (let i = 0; i < 70; i++) dag.add(vx([aliceNext], 10 + i));
  // Without the author the newest 64 tips are chosen and bob's older tip falls outside.
  assert.equal(dag.nextParents(topic).parents.some((p) => idKey(p) === bobRoot.key), false);
  const forBob = dag.nextParents(topic, bob.author);
  assert.equal(forBob.parents.length, 64);
  assert.equal(forBob.parents.some((p) => idKey(p) === bobRoot.key), true);

  // Bob's latest vertex is no longer a tip: a tip descending from it is chosen instead.
  const onBob = vx([bobRoot], 200);
  dag.add(onBob);
  assert.equal(dag.nextParents(topic).parents.some((p) => idKey(p) === onBob.key), false);
  const forBobAgain = dag.nextParents(topic, bob.author);
  assert.equal(forBobAgain.parents.length, 64);
  assert.equal(forBobAgain.parents.some((p) => idKey(p) === onBob.key), true);
  const next = createVertex({ topic, ...forBobAgain, payload: Uint8Array.of(1) }, bob, fastProvider);
  assert.equal(dag.add(next).status, 'added');
  assert.equal(dag.ancestors([next.id]).has(bobRoot.key), true);
});

test('quarantine: a waiting vertex received as a view into a larger frame is kept in memory of its own', () => {
  const dag = new Dag();
  const a = vx([], 1);
  const b = vx([a], 2);
  // b arrives inside a 1 MiB frame, as the sync intake hands vertices on.
  const frame = new Uint8Array(1 << 20);
  frame.set(b.bytes, 1000);
  const decoded = decodeWithId(frame.subarray(1000, 1000 + b.bytes.length), b.id);
  assert.ok(decoded.ok);
  assert.equal(dag.add(decoded.vertex, 'peer').status, 'quarantined');
  assert.equal(dag.quarantine.bytes, b.bytes.length);
  frame.fill(0); // the frame's memory is gone (reused) once its batch is committed
  const out = dag.add(a);
  assert.ok(out.status === 'added');
  const released = out.added[1] as DecodedVertex;
  assert.equal(released.key, b.key);
  assert.equal(released.bytes.buffer.byteLength, b.bytes.length, 'not a view into the frame');
  assert.deepEqual(released.bytes, b.bytes);
  assert.deepEqual(released.payload, b.payload);
  assert.deepEqual(released.parents, b.parents);
  assert.deepEqual(released.id, b.id);
  // Bytes of their own but an id that is a view into a batch's ids (as the verify pool hands
  // them over): copied out too, so the batch's ids are not kept alive.
  const p = vx([b], 3);
  const c = vx([p], 4);
  const ids = new Uint8Array(32 * 512);
  ids.set(c.id, 32 * 7);
  const cWithBatchId = decodeWithId(c.bytes.slice(), ids.subarray(32 * 7, 32 * 8));
  assert.ok(cWithBatchId.ok);
  assert.equal(dag.add(cWithBatchId.vertex, 'peer').status, 'quarantined');
  // A vertex that owns all its memory already waits as it is.
  const dOwn = vx([p], 5);
  const decodedD = decodeWithId(dOwn.bytes.slice(), dOwn.id.slice());
  assert.ok(decodedD.ok);
  const d = decodedD.vertex;
  assert.equal(dag.add(d, 'peer').status, 'quarantined');
  const outP = dag.add(p);
  assert.ok(outP.status === 'added');
  const releasedC = outP.added.find((v) => v.key === c.key) as DecodedVertex;
  assert.equal(releasedC.id.buffer.byteLength, 32, 'the id is not a view into the batch');
  assert.deepEqual(releasedC.id, c.id);
  assert.equal(outP.added.find((v) => v.key === d.key), d, 'the very object comes back');
});

test('placed vertices keep copies of their ids: a batch buffer reused afterwards changes nothing', () => {
  const dag = new Dag();
  const a = vx([], 1);
  const b = vx([a], 2);
  // As the verify pool hands them over: ids are views into one buffer per batch, reused later.
  const ids = new Uint8Array(64);
  ids.set(a.id, 0);
  ids.set(b.id, 32);
  for (const [v, at] of [[a, 0], [b, 32]] as const) {
    const decoded = decodeWithId(v.bytes, ids.subarray(at, at + 32));
    assert.ok(decoded.ok);
    assert.equal(dag.add(decoded.vertex).status, 'added');
  }
  ids.fill(0xee);
  assert.deepEqual(dag.get(a.key)?.id, a.id);
  assert.deepEqual(dag.get(b.key)?.parents, [a.key]);
  assert.deepEqual(keys(dag.frontier(topic)), [b.key]);
  assert.deepEqual(dag.nextParents(topic), { parents: [b.id], lamport: 3 });
  // Thousands of placements (more than one 64 KiB chunk of ids) keep every id intact.
  let tip = b;
  const placed = [a, b];
  for (let i = 0; i < 2100; i++) {
    tip = vx([tip], 3 + (i % 200));
    assert.equal(dag.add(tip).status, 'added');
    placed.push(tip);
  }
  for (const v of placed) assert.deepEqual(dag.get(v.key)?.id, v.id);
});

test('restoring a vertex whose id is not 32 bytes is refused with a typed error', () => {
  const dag = new Dag();
  const a = vx([], 1);
  assert.throws(() => dag.restore({ ...a, id: a.id.subarray(0, 31) }), { code: 'ERR_ID_SIZE' });
  assert.equal(dag.size, 0);
});
