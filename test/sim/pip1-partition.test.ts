import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toHex, utf8 } from '../../src/crypto/index.ts';
import type { DecodedVertex } from '../../src/dag/index.ts';
import { completeTopology, Simulation } from '../../src/sim/index.ts';
import { provider } from '../support/fixtures.ts';

const [A, B, C, D, E] = [0, 1, 2, 3, 4] as const;
const names = ['A', 'B', 'C', 'D', 'E'];
const topic = utf8('pip-1 group tag!');

function frontierOf(sim: Simulation, node: number): string[] {
  return (sim.nodes[node] as (typeof sim.nodes)[number]).dag.frontier(topic).map(toHex);
}

describe('PIP-1 "Partition Recovery": A,B | C,D,E with the real ML-DSA-65 provider', () => {
  it('both sides write while split; after the heal every node has every vertex, and a merge vertex unifies the frontier', () => {
    // Keys travel with the data: each node starts knowing only its own public key and learns the
    // others through the reconciliation protocol's key exchange.
    const sim = new Simulation({
      seed: 100,
      nodes: 5,
      provider,
      edges: completeTopology(5),
      keyDistribution: 'sync',
      antiEntropy: { intervalMs: 2_000, connectDelayMs: 200 },
    });
    const writeAndSpread = (node: number, label: string): DecodedVertex => {
      const v = sim.write(node, topic, utf8(label));
      sim.run(sim.now + 5_000);
      return v;
    };
    const has = (node: number, v: DecodedVertex): boolean => sim.nodes[node]?.dag.has(v.key) === true;

    // Before the partition (t = 0): the group shares V100.
    const v100 = writeAndSpread(A, 'V100');
    assert.ok(sim.runUntil(() => sim.converged(), sim.now + 30_000), 'V100 reaches everyone');
    for (const n of [A, B, C, D, E]) assert.deepEqual(frontierOf(sim, n), [v100.key]);

    // During the partition: side 1 writes V101, V102; side 2 writes V201, V202, V203.
    sim.partition([
      [A, B],
      [C, D, E],
    ]);
    const v101 = writeAndSpread(A, 'V101');
    const v102 = writeAndSpread(B, 'V102');
    const v201 = writeAndSpread(C, 'V201');
    const v202 = writeAndSpread(D, 'V202');
    const v203 = writeAndSpread(E, 'V203');
    sim.run(sim.now + 10_000);
    for (const n of [A, B]) {
      assert.ok([v101, v102].every((v) => has(n, v)) && ![v201, v202, v203].some((v) => has(n, v)), `${names[n]} sees only its side`);
      assert.deepEqual(frontierOf(sim, n), [v102.key], 'P1 frontier {V102}');
    }
    for (const n of [C, D, E]) {
      assert.ok([v201, v202, v203].every((v) => has(n, v)) && ![v101, v102].some((v) => has(n, v)), `${names[n]} sees only its side`);
      assert.deepEqual(frontierOf(sim, n), [v203.key], 'P2 frontier {V203}');
    }

    // Reconnection: frontiers are exchanged, the missing vertices found and transferred.
    sim.heal();
    assert.ok(sim.runUntil(() => sim.converged(), sim.now + 60_000), 'converged after the heal');
    const both = [v102.key, v203.key].sort();
    for (const n of [A, B, C, D, E]) {
      for (const v of [v100, v101, v102, v201, v202, v203]) assert.ok(has(n, v), `${names[n]} lacks a vertex`);
      assert.deepEqual(frontierOf(sim, n), both);
    }

    // Merge: a new vertex V300 references both frontiers; the frontier is unified everywhere.
    const v300 = sim.write(C, topic, utf8('V300'));
    assert.deepEqual(v300.parents.map(toHex), both);
    assert.equal(v300.lamport, Math.max(v102.lamport, v203.lamport) + 1);
    assert.ok(sim.runUntil(() => sim.converged(), sim.now + 30_000));
    for (const n of [A, B, C, D, E]) {
      assert.deepEqual(frontierOf(sim, n), [v300.key], `${names[n]} frontier {V300}`);
      assert.equal(sim.nodes[n]?.dag.size, 7);
    }
    const total = sim.counters();
    assert.equal(total.verticesRejected > 0, true, 'before keys arrived, gossip copies were refused as author-unknown');
    assert.ok(total.sessionsCompleted > 0);
  });
});
