import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createVertex, type DecodedVertex } from '../../src/dag/index.ts';
import { prng } from '../support/fixtures.ts';
import { nodePair, runSession, simAuthor, simProvider, TestNode, topic } from './sync-fixtures.ts';

const authors = [simAuthor(1), simAuthor(2), simAuthor(3)];
const T = topic(9);

/** A random DAG: each vertex takes 0–3 random earlier vertices as parents (forks and merges). */
function randomDag(count: number, seed: number): DecodedVertex[] {
  return randomDagOn(T, count, seed);
}

function randomDagOn(t: Uint8Array, count: number, seed: number): DecodedVertex[] {
  const r = prng(seed);
  const out: DecodedVertex[] = [];
  for (let i = 0; i < count; i++) {
    const k = out.length === 0 ? 0 : Math.floor(r() * 4);
    const parents = new Map<string, DecodedVertex>();
    for (let j = 0; j < k; j++) {
      // Mostly recent vertices, sometimes old ones: long forks and late merges.
      const back = r() < 0.8 ? Math.floor(r() * Math.min(8, out.length)) : Math.floor(r() * out.length);
      const p = out[out.length - 1 - back] as DecodedVertex;
      parents.set(p.key, p);
    }
    const ps = [...parents.values()];
    const lamport = 1 + Math.max(0, ...ps.map((p) => p.lamport));
    const payload = Uint8Array.of(i & 0xff, i >> 8, Math.floor(r() * 256));
    out.push(createVertex({ topic: t, parents: ps.map((p) => p.id), lamport, payload }, authors[i % authors.length] as (typeof authors)[number], simProvider));
  }
  return out;
}

/** A random subset closed under parents: what one replica can hold. */
function closedSubset(all: readonly DecodedVertex[], p: number, seed: number): Set<string> {
  const r = prng(seed);
  const byKey = new Map(all.map((v) => [v.key, v]));
  const keep = new Set<string>();
  const stack: string[] = [];
  for (const v of all) if (r() < p) stack.push(v.key);
  while (stack.length > 0) {
    const k = stack.pop() as string;
    if (keep.has(k)) continue;
    keep.add(k);
    for (const parent of (byKey.get(k) as DecodedVertex).parents) stack.push(Buffer.from(parent).toString('hex'));
  }
  return keep;
}

function node(all: readonly DecodedVertex[], keep: Set<string>): TestNode {
  const n = new TestNode({ member: [T], keys: authors });
  for (const v of all) if (keep.has(v.key)) n.add(v);
  return n;
}

/** Two replicas of one random DAG, each holding a random parent-closed part of it. */
function splitReplicas(count: number, seed: number, pa: number, pb: number): { a: TestNode; b: TestNode; ka: Set<string>; kb: Set<string>; union: string[] } {
  const all = randomDag(count, seed);
  const ka = closedSubset(all, pa, seed + 1);
  const kb = closedSubset(all, pb, seed + 2);
  return { a: node(all, ka), b: node(all, kb), ka, kb, union: [...new Set([...ka, ...kb])].sort() };
}

const split = fc.record({
  count: fc.integer({ min: 1, max: 260 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
  pa: fc.double({ min: 0, max: 1, noNaN: true }),
  pb: fc.double({ min: 0, max: 1, noNaN: true }),
  sessionSeed: fc.integer({ min: 1, max: 1 << 30 }),
  ingestAtEnd: fc.boolean(),
});

test('property: random DAGs and random splits converge within the round-trip bound', () => {
  fc.assert(
    fc.property(split, ({ count, seed, pa, pb, sessionSeed, ingestAtEnd }) => {
      const { a, b, ka, kb, union } = splitReplicas(count, seed, pa, pb);
      const run = runSession(a, b, { kind: 'topics', topics: [T] }, { seed: sessionSeed, ingestAtEnd });
      assert.equal(run.initiator.error, undefined);
      assert.equal(run.responder.error, undefined);
      assert.deepEqual(a.allKeys(T), union);
      assert.deepEqual(b.allKeys(T), union);
      assert.equal(a.quarantined + b.quarantined, 0, 'parents always arrive first');
      const contained = [...ka].every((k) => kb.has(k)) || [...kb].every((k) => ka.has(k));
      const bound = contained ? 2 : Math.ceil(Math.log(Math.max(2, union.length)) / Math.log(16)) + 2;
      assert.ok(run.roundTrips <= bound, `${run.roundTrips} round trips, bound ${bound} (contained: ${contained})`);
      // Exactly the differences travel, each once.
      assert.equal(run.initiator.stats.verticesSent, [...ka].filter((k) => !kb.has(k)).length);
      assert.equal(run.responder.stats.verticesSent, [...kb].filter((k) => !ka.has(k)).length);
    }),
    { numRuns: 100 },
  );
});

test('property: other branching factors and id-list thresholds keep the bound ceil(log_b n) + 2', () => {
  fc.assert(
    fc.property(split, fc.integer({ min: 2, max: 16 }), fc.integer({ min: 1, max: 40 }), ({ count, seed, pa, pb, sessionSeed }, branching, idListThreshold) => {
      const { a, b, union } = splitReplicas(count, seed, pa, pb);
      const run = runSession(a, b, { kind: 'topics', topics: [T] }, { seed: sessionSeed, tuning: { branching, idListThreshold } });
      assert.deepEqual(a.allKeys(T), union);
      assert.deepEqual(b.allKeys(T), union);
      const bound = Math.ceil(Math.log(Math.max(2, union.length)) / Math.log(branching)) + 2;
      assert.ok(run.roundTrips <= bound, `${run.roundTrips} round trips, bound ${bound}`);
    }),
    { numRuns: 60 },
  );
});

test('property: courier sessions converge every topic either side carries', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1 << 30 }), fc.integer({ min: 1, max: 5 }), (seed, topicCount) => {
      const r = prng(seed);
      const topics = Array.from({ length: topicCount }, (_, i) => topic(100 + i));
      const [a, b] = nodePair({ carriesAll: true, keys: authors });
      for (const [i, t] of topics.entries()) {
        const all = randomDagOn(t, Math.floor(r() * 80), seed + i);
        const ka = closedSubset(all, r() < 0.2 ? 0 : r(), seed + 10 + i);
        const kb = closedSubset(all, r() < 0.2 ? 0 : r(), seed + 20 + i);
        for (const v of all) {
          if (ka.has(v.key)) a.add(v);
          if (kb.has(v.key)) b.add(v);
        }
      }
      const run = runSession(a, b, { kind: 'courier' }, { seed });
      assert.equal(run.initiator.error, undefined);
      assert.equal(run.responder.error, undefined);
      for (const t of topics) assert.deepEqual(a.allKeys(t), b.allKeys(t));
      assert.equal(a.quarantined + b.quarantined, 0);
    }),
    { numRuns: 40 },
  );
});
