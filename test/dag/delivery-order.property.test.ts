import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Dag, validateVertex, type DecodedVertex } from '../../src/dag/index.ts';
import { keyRingFor, makeAuthor, prng, provider, randomDag } from '../support/fixtures.ts';

const authors = [1, 2, 3, 4, 5, 6].map((n) => makeAuthor(n));
const ring = keyRingFor(authors);

/** Frontier of every topic and the global topological order: what must not depend on delivery. */
function snapshot(dag: Dag): { frontiers: Record<string, string[]>; order: string[] } {
  const frontiers: Record<string, string[]> = {};
  for (const t of dag.topics()) frontiers[t] = dag.frontier(t).map((id) => Buffer.from(id).toString('hex'));
  return { frontiers, order: dag.topologicalOrder().map((m) => m.key) };
}

function deliver(vertices: readonly DecodedVertex[], seed: number, duplicateRate: number): Dag {
  const rand = prng(seed);
  const order = [...vertices];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j] as DecodedVertex, order[i] as DecodedVertex];
  }
  const withDuplicates: DecodedVertex[] = [];
  for (const v of order) {
    withDuplicates.push(v);
    if (rand() < duplicateRate) withDuplicates.splice(Math.floor(rand() * withDuplicates.length), 0, v);
  }
  const dag = new Dag();
  for (const v of withDuplicates) {
    const out = dag.add(v, `peer${Math.floor(rand() * 4)}`);
    assert.notEqual(out.status, 'rejected');
  }
  return dag;
}

for (const dagSeed of [11, 12, 13]) {
  test(`random DAG ${dagSeed} (600 vertices, 6 authors, 2 topics, forks and merges): any delivery order with duplicates gives the same frontiers and order`, () => {
    const created = randomDag({ vertices: 600, authors, topics: 2, seed: dagSeed });
    // Every vertex passes full validation with the provider under test once.
    const vertices = created.map((v) => {
      const r = validateVertex(v.bytes, ring, provider);
      assert.ok(r.ok, r.ok ? '' : r.detail);
      return r.vertex;
    });
    const reference = deliver(vertices, 0, 0); // seed 0 shuffles too; compare against causal order below
    const causal = new Dag();
    for (const v of vertices) assert.equal(causal.add(v).status, 'added');
    const expected = snapshot(causal);
    assert.deepEqual(snapshot(reference), expected);
    // The DAG really forks and merges: some vertex has several parents, some topic had a wide frontier.
    assert.ok(vertices.some((v) => v.parents.length >= 2), 'no merges');
    assert.ok(vertices.filter((v) => v.parents.length === 0).length >= 2 || vertices.some((v, i) => vertices.slice(0, i).filter((w) => w.lamport === v.lamport).length > 0), 'no forks');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (seed, duplicateRate) => {
        const dag = deliver(vertices, seed, duplicateRate);
        assert.equal(dag.size, vertices.length);
        assert.equal(dag.quarantine.size, 0);
        assert.deepEqual(snapshot(dag), expected);
      }),
      { numRuns: 60, seed: dagSeed },
    );
  });
}
