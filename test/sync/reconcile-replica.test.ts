import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { idKey } from '../../src/dag/index.ts';
import { boundBetween, compareItemToBound } from '../../src/sync/bound.ts';
import { SortedItems } from '../../src/sync/sorted-items.ts';
import type { SyncItem } from '../../src/sync/index.ts';
import { prng } from '../support/fixtures.ts';
import { grow, simAuthor, TestNode, topic } from './sync-fixtures.ts';

const authors = [simAuthor(1), simAuthor(2)];
const T = topic(60);

function item(lamport: number, id: Uint8Array): SyncItem {
  return { lamport, id, key: idKey(id) };
}

test('sorted index: any insertion order gives the (lamport, id) order; duplicates are ignored', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.uint8Array({ minLength: 32, maxLength: 32 })), { maxLength: 80 }), (raw) => {
      const items = raw.map(([l, id]) => item(l, id));
      const s = new SortedItems();
      for (const x of items) s.insert(x);
      for (const x of items) assert.equal(s.insert(x), false);
      const expected = [...new Map(items.map((x) => [x.key, x])).values()].sort((a, b) => a.lamport - b.lamport || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      assert.deepEqual(
        Array.from({ length: s.size }, (_, i) => s.at(i).key),
        expected.map((x) => x.key),
      );
    }),
  );
});

test('bounds: the bound between adjacent items separates them and is as short as possible', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (l, dl, x, y) => {
      const [lo, hi] = dl === 0 ? (idKey(x) < idKey(y) ? [x, y] : [y, x]) : [x, y];
      if (dl === 0 && idKey(lo) === idKey(hi)) return;
      const a = item(l, lo);
      const b = item(l + dl, hi);
      const bound = boundBetween(a, b);
      assert.ok(compareItemToBound(a.lamport, a.id, bound) < 0, 'below item is below the bound');
      assert.ok(compareItemToBound(b.lamport, b.id, bound) >= 0, 'above item is at or above the bound');
      if (bound.prefix.length > 0) {
        const shorter = { lamport: bound.lamport, prefix: bound.prefix.subarray(0, bound.prefix.length - 1) };
        assert.ok(compareItemToBound(a.lamport, a.id, shorter) >= 0, 'one byte less would not separate them');
      }
      const s = new SortedItems([a, b]);
      assert.equal(s.lowerBound(bound.lamport, bound.prefix), 1);
    }),
  );
});

test('DagReplica: ordered() follows noteAdded incrementally and rebuilds after unreported changes', () => {
  const n = new TestNode({ member: [T], keys: authors });
  grow([n], { topic: T, count: 100, authors, seed: 80 });
  const view = n.replica.ordered(T);
  assert.equal(view.size, 100);
  grow([n], { topic: T, count: 20, authors, seed: 81 }); // TestNode.add reports each vertex
  assert.equal(n.replica.ordered(T), view, 'the same index, extended');
  assert.equal(view.size, 120);
  const order = n.dag.topologicalOrder(T).map((m) => m.key);
  assert.deepEqual(Array.from({ length: view.size }, (_, i) => view.at(i).key), order);
  // Placed behind the adapter's back: the next use notices the size change and rebuilds.
  const extra = grow([new TestNode()], { topic: topic(61), count: 1, authors, seed: 82 })[0];
  assert.ok(extra !== undefined);
  const t2 = n.replica.ordered(topic(61));
  assert.equal(t2.size, 0);
  n.dag.add(extra);
  assert.equal(n.replica.ordered(topic(61)).size, 1);
});

test('DagReplica.missingFor walks only near the top and agrees with Dag.missingFor', () => {
  const n = new TestNode({ member: [T], keys: authors });
  const made = grow([n], { topic: T, count: 600, authors, seed: 83, writers: 5 });
  const r = prng(84);
  for (let k = 0; k < 40; k++) {
    // A random remote frontier: a few vertices we hold (an antichain is not required).
    const remote = Array.from({ length: 1 + Math.floor(r() * 4) }, () => (made[Math.floor(r() * made.length)] as (typeof made)[number]).id);
    const ours = n.replica.missingFor(T, remote).map((x) => x.key);
    const reference = n.dag.missingFor(T, remote).map((m) => m.key);
    assert.deepEqual(ours, reference);
  }
  assert.deepEqual(n.replica.missingFor(T, n.dag.frontier(T)), []);
  assert.equal(n.replica.missingFor(T, []).length, 600);
});
