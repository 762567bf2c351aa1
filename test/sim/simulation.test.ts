import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultProvider, toHex } from '../../src/crypto/index.ts';
import { insecureSimulationProvider, Prng, randomTopology, Simulation, type NodeCounters } from '../../src/sim/index.ts';

const insecure = insecureSimulationProvider(defaultProvider());
const topics = [1, 2].map((i) => new Uint8Array(16).fill(i));

interface Outcome {
  readonly now: number;
  readonly events: number;
  readonly counters: NodeCounters[];
  readonly state: string[];
  readonly converged: boolean;
}

/** A run with everything the simulator randomises: topology, lossy links, partition, churn, writes. */
function scenario(seed: number): Outcome {
  const n = 30;
  const plan = new Prng(seed);
  const sim = new Simulation({
    seed,
    nodes: n,
    provider: insecure,
    edges: randomTopology(n, 4, plan.fork()),
    link: { loss: 0.02, duplicate: 0.02, reorder: 0.1, jitterMs: 15 },
    antiEntropy: { intervalMs: 5_000, connectDelayMs: 500, idleTimeoutMs: 3_000 },
  });
  for (let i = 0; i < 40; i++) sim.at(500 + i * 250, () => sim.write(plan.int(n), plan.pick(topics), plan.fill(new Uint8Array(64))));
  sim.at(3_000, () => sim.partition([Array.from({ length: n / 2 }, (_, i) => i), Array.from({ length: n / 2 }, (_, i) => i + n / 2)]));
  sim.at(4_000, () => sim.leave(7));
  sim.at(9_000, () => sim.rejoin(7));
  sim.at(12_000, () => sim.heal());
  sim.run(13_000);
  sim.setLinkProfile({ loss: 0, duplicate: 0, reorder: 0 });
  const converged = sim.runUntil(() => sim.converged(), 120_000);
  return {
    now: sim.now,
    events: sim.events,
    counters: sim.nodes.map((node) => ({ ...node.counters })),
    state: sim.nodes.map((node) => [...node.heldKeys()].sort().join() + '/' + node.dag.topics().map((t) => node.dag.frontier(t).map(toHex).join()).join('|')),
    converged,
  };
}

describe('simulator', () => {
  it('is deterministic: the same seed gives identical counters and final state', () => {
    const a = scenario(9);
    const b = scenario(9);
    assert.equal(a.converged, true);
    assert.deepEqual(b, a);
    const c = scenario(10);
    assert.notDeepEqual(c.counters, a.counters, 'another seed takes another course');
  });

  it('churn: a node that leaves keeps its state, misses writes, and catches up when it comes back', () => {
    const n = 12;
    const sim = new Simulation({ seed: 4, nodes: n, provider: insecure, edges: randomTopology(n, 3, new Prng(4)), antiEntropy: { connectDelayMs: 200 } });
    const plan = new Prng(5);
    for (let i = 0; i < 10; i++) sim.write(plan.int(n), topics[0] as Uint8Array, plan.fill(new Uint8Array(32)));
    assert.ok(sim.runUntil(() => sim.converged(), 30_000));
    const leaver = sim.nodes[3] as (typeof sim.nodes)[number];
    const had = [...leaver.heldKeys()].sort();
    const frontier = leaver.dag.frontier(topics[0] as Uint8Array).map(toHex);
    sim.leave(3);
    assert.equal(sim.isOnline(3), false);
    for (let i = 0; i < 10; i++) {
      sim.write([0, 1, 2, 4, 5][i % 5] as number, topics[i % 2] as Uint8Array, plan.fill(new Uint8Array(32)));
      sim.run(sim.now + 300);
    }
    sim.run(sim.now + 20_000);
    // Away: nothing new reached it, nothing it had was lost.
    assert.deepEqual([...leaver.heldKeys()].sort(), had);
    assert.deepEqual(leaver.dag.frontier(topics[0] as Uint8Array).map(toHex), frontier);
    assert.equal(sim.converged(), false);
    const others = sim.nodes.filter((x) => x.index !== 3);
    assert.ok(others.every((x) => x.dag.size === 20), 'the rest of the network converged without it');
    const sessionsBefore = leaver.counters.sessionsStarted + leaver.counters.sessionsCompleted;
    sim.rejoin(3);
    assert.ok(sim.runUntil(() => sim.converged(), sim.now + 30_000), 'caught up');
    assert.equal(leaver.dag.size, 20);
    assert.ok(leaver.counters.sessionsStarted + leaver.counters.sessionsCompleted > sessionsBefore, 'caught up through reconciliation');
  });

  it('messages in flight die with their connection; a new connection reconciles; nodes share one copy of each vertex', () => {
    const sim = new Simulation({ seed: 3, nodes: 3, provider: insecure, edges: [[0, 1], [1, 2]], link: { latencyMs: 50, jitterMs: 0 }, antiEntropy: { connectDelayMs: 0 } });
    sim.run(1_000);
    const v = sim.write(0, topics[0] as Uint8Array, new Uint8Array(10));
    sim.run(sim.now + 10); // the PUSH is on the wire
    sim.setLinkUp(0, 1, false);
    sim.run(sim.now + 5_000);
    assert.equal(sim.nodes[1]?.dag.has(v.key), false, 'a message of a broken connection is never delivered');
    assert.ok((sim.nodes[0]?.counters.messagesSent ?? 0) > 0);
    sim.setLinkUp(0, 1, true);
    assert.ok(sim.runUntil(() => sim.converged(), sim.now + 10_000));
    const copies = sim.nodes.map((n) => n.bytesOf(v.key));
    assert.ok(copies[0] !== undefined && copies.every((c) => c === copies[0]), 'one pooled buffer for every node');
    assert.ok((sim.nodes[1]?.counters.sessionsCompleted ?? 0) > 0);
  });

  it('a partitioned network of 120 nodes converges after the heal with a duplicate ratio under 3', () => {
    const n = 120;
    const plan = new Prng(77);
    const sim = new Simulation({ seed: 77, nodes: n, provider: insecure, edges: randomTopology(n, 6, plan.fork()) });
    const payload = (): Uint8Array => plan.fill(new Uint8Array(1052));
    for (let i = 0; i < 4; i++) sim.at(500 + i * 200, () => sim.write(plan.int(n), topics[0] as Uint8Array, payload()));
    sim.run(3_000);
    const half = plan.shuffle(Array.from({ length: n }, (_, i) => i));
    sim.partition([half.slice(0, n / 2), half.slice(n / 2)]);
    for (let i = 0; i < 40; i++) sim.at(3_000 + i * 250, () => sim.write(half[(i % 2) * (n / 2) + plan.int(n / 2)] as number, plan.pick(topics), payload()));
    sim.run(15_000);
    assert.equal(sim.converged(), false);
    sim.heal();
    assert.ok(sim.runUntil(() => sim.converged(), 200_000), 'converged');
    let needed = 0;
    for (const node of sim.nodes) for (const k of sim.pool.keys()) if (!node.authored.has(k)) needed += (sim.pool.get(k) as Uint8Array).length;
    const ratio = sim.counters().bytesReceived / needed;
    assert.ok(ratio <= 3, `duplicate ratio ${ratio.toFixed(2)}`);
  });
});
