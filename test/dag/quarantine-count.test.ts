import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../../src/crypto/index.ts';
import { createVertex, Dag, Quarantine, type DecodedVertex } from '../../src/dag/index.ts';
import { fastProvider, makeAuthor, topicOf } from '../support/fixtures.ts';

const alice = makeAuthor(1);
const red = topicOf(1);
const blue = topicOf(2);
const redHex = toHex(red);
const blueHex = toHex(blue);

const vx = (parents: DecodedVertex[], tag: number, topic: Uint8Array): DecodedVertex =>
  createVertex(
    { topic, parents: parents.map((p) => p.id), lamport: 1 + Math.max(0, ...parents.map((p) => p.lamport)), payload: Uint8Array.of(tag) },
    alice,
    fastProvider,
  );
const waitFor = (q: Quarantine, v: DecodedVertex, source: string): void => q.put(v, new Set(v.parents.map(toHex)), source);
const counts = (q: Quarantine): [number, number] => [q.countByTopic(redHex), q.countByTopic(blueHex)];

// A red chain r0 ← r1 ← r2 and a blue root b0 with a child b1, shared by the tests (never mutated).
const r0 = vx([], 1, red);
const r1 = vx([r0], 2, red);
const r2 = vx([r1], 3, red);
const b0 = vx([], 4, blue);
const b1 = vx([b0], 5, blue);

test('countByTopic follows puts, releases and a repeated put, per topic', () => {
  const q = new Quarantine();
  assert.deepEqual(counts(q), [0, 0]);
  waitFor(q, r1, 'peer-a');
  waitFor(q, r2, 'peer-a');
  waitFor(q, b1, 'peer-b');
  waitFor(q, b1, 'peer-b'); // already waiting: not counted twice
  assert.deepEqual(counts(q), [2, 1]);
  assert.equal(q.size, 3);

  // r0 arrives: r1 is released, r2 still waits (on r1, which the caller now places itself)
  assert.deepEqual(q.parentArrived(r0.key).map((v) => v.key), [r1.key]);
  assert.deepEqual(counts(q), [1, 1]);
  assert.deepEqual(q.parentArrived(r1.key).map((v) => v.key), [r2.key]);
  assert.deepEqual(counts(q), [0, 1]);
  assert.deepEqual(q.parentArrived(b0.key).map((v) => v.key), [b1.key]);
  assert.deepEqual(counts(q), [0, 0]);
  assert.equal(q.size, 0);
  assert.equal(q.countByTopic('00'.repeat(16)), 0, 'a topic never seen counts zero');
});

test('countByTopic follows drops: descendants of a rejected parent and a departed source', () => {
  const q = new Quarantine();
  const other = vx([], 6, red);
  const r3 = vx([other], 7, red);
  const b2 = vx([b0], 8, blue);
  waitFor(q, r1, 'peer-a');
  waitFor(q, r2, 'peer-a');
  waitFor(q, r3, 'peer-b');
  waitFor(q, b1, 'peer-a');
  waitFor(q, b2, 'peer-b');
  assert.deepEqual(counts(q), [3, 2]);

  // r0 is rejected for good: r1 and r2 (through r1) go, r3 stays
  assert.deepEqual(q.dropDescendantsOf(r0.key).sort(), [r1.key, r2.key].sort());
  assert.deepEqual(counts(q), [1, 2]);

  // peer-b disconnects: r3 and b2 go
  assert.equal(q.dropSource('peer-b'), 2);
  assert.deepEqual(counts(q), [0, 1]);
  assert.equal(q.dropSource('peer-a'), 1);
  assert.deepEqual(counts(q), [0, 0]);
  assert.equal(q.bytes, 0);
});

test('the Dag keeps the count through quarantine and release by ingest order', () => {
  const dag = new Dag();
  assert.equal(dag.add(r2, 'peer-a').status, 'quarantined');
  assert.equal(dag.add(r1, 'peer-a').status, 'quarantined');
  assert.equal(dag.add(b0, 'peer-a').status, 'added');
  assert.deepEqual(counts(dag.quarantine), [2, 0]);
  const out = dag.add(r0, 'peer-a');
  assert.ok(out.status === 'added');
  assert.equal(out.added.length, 3);
  assert.deepEqual(counts(dag.quarantine), [0, 0]);
});
