import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomRun, type RandomRunOptions } from './random-run.ts';

const cases: RandomRunOptions[] = [{ seed: 1 }, { seed: 2 }, { seed: 3 }, { seed: 4, replicas: 8, degree: 3 }, { seed: 5, replicas: 6, degree: 3 }];

describe('randomized convergence (10,000 steps, 2% disconnect/reconnect per step, lossy network, CRDT payloads)', () => {
  for (const c of cases) {
    const shape = c.degree === undefined ? `${c.replicas ?? 5} replicas, all linked` : `${c.replicas} replicas, random graph of degree ${c.degree}`;
    it(`seed ${c.seed} (${shape}): after a final sync every replica holds every vertex, frontiers and document states are equal`, () => {
      const r = randomRun(c);
      assert.ok(r.vertices > 300, `only ${r.vertices} vertices written`);
      assert.ok(r.toggles > 150, `only ${r.toggles} disconnects/reconnects`);
      assert.ok(r.counters.messagesLost > 0, 'the network lost messages');
      assert.equal(r.converged, true, `not converged after ${r.virtualMs} ms`);
      for (const node of r.sim.nodes) assert.equal(node.dag.size, r.vertices);
      assert.equal(new Set(r.frontiers).size, 1, 'frontiers differ');
      assert.equal(new Set(r.documents).size, 1, 'CRDT document states differ');
      assert.ok(r.documents[0]?.includes('rga/text:') && !r.documents[0].includes('rga/text:;'), 'documents were written');
      assert.equal(r.counters.verticesRejected, 0);
    });
  }
});
