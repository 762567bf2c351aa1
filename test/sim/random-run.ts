/*
 * The randomized convergence run (Yjs-style), shared by test/sim/convergence.test.ts (a few seeds)
 * and test/soak/sync-soak.ts (many): a handful of replicas on a lossy, duplicating, reordering
 * network; every step some replica may write a vertex carrying CRDT operations (a counter, a set,
 * a text, a register), and with 2% probability a link or a replica drops out or comes back; then
 * the network is made whole and reliable and must converge: the same vertices, the same
 * frontiers and the same document states everywhere.
 */
import { defaultProvider, toHex } from '../../src/crypto/index.ts';
import { changeOf, DocumentStore, deleteOp, insertOp, lwwRegister, orSet, pnCounter, rgaLength, type DocumentChange } from '../../src/crdt/index.ts';
import { completeTopology, insecureSimulationProvider, Prng, randomTopology, Simulation, type NodeCounters } from '../../src/sim/index.ts';

export interface RandomRunOptions {
  readonly seed: number;
  readonly replicas?: number;
  /** Links per replica in a random connected graph; default every pair is linked. */
  readonly degree?: number;
  readonly steps?: number;
  /** Virtual milliseconds per step. */
  readonly stepMs?: number;
  /** Probability that a step writes a vertex. */
  readonly writeRate?: number;
  /** Probability that a step toggles a link or a replica (disconnect or reconnect). */
  readonly churnRate?: number;
}

export interface RandomRunResult {
  readonly converged: boolean;
  readonly vertices: number;
  readonly steps: number;
  readonly virtualMs: number;
  readonly toggles: number;
  readonly counters: NodeCounters;
  /** Per replica, every topic's frontier: equal strings mean equal frontiers. */
  readonly frontiers: string[];
  /** Per replica, every document's canonical state bytes (hex): equal strings mean equal states. */
  readonly documents: string[];
  /** The value of each document on replica 0, for a glance. */
  readonly sample: string;
  readonly sim: Simulation;
}

const insecure = insecureSimulationProvider(defaultProvider());
const DOCS = [
  ['pn-counter', 'likes'],
  ['or-set', 'members'],
  ['rga', 'text'],
  ['lww-register', 'title'],
] as const;

/** A random local change to one of the topic's documents, built against the replica's current state. */
function randomChange(store: DocumentStore, topic: Uint8Array, author: Uint8Array, rand: Prng): DocumentChange {
  const pick = rand.int(4);
  if (pick === 0) return changeOf('pn-counter', 'likes', [rand.chance(0.7) ? pnCounter.increment(1 + rand.int(5)) : pnCounter.decrement(1 + rand.int(3))]);
  if (pick === 1) {
    const state = store.currentState(topic, 'or-set', 'members');
    const who = `member-${rand.int(8)}`;
    const ops = rand.chance(0.6) || !orSet.has(state, who) ? orSet.add(state, who) : orSet.remove(state, who);
    return changeOf('or-set', 'members', ops);
  }
  if (pick === 2) {
    const state = store.currentState(topic, 'rga', 'text');
    const length = rgaLength(state);
    const op = length > 0 && rand.chance(0.3) ? deleteOp(state, rand.int(length), 1) : insertOp(state, author, rand.int(length + 1), 'xyz'.slice(0, 1 + rand.int(3)));
    if (!op.ok) throw new Error(`rga op refused: ${op.detail}`);
    return changeOf('rga', 'text', [op.value]);
  }
  return changeOf('lww-register', 'title', [lwwRegister.write(`title ${rand.int(1000)}`)]);
}

export function randomRun(options: RandomRunOptions): RandomRunResult {
  const replicas = options.replicas ?? 5;
  const steps = options.steps ?? 10_000;
  const stepMs = options.stepMs ?? 10;
  const writeRate = options.writeRate ?? 0.05;
  const churnRate = options.churnRate ?? 0.02;
  const stores = Array.from({ length: replicas }, () => new DocumentStore());
  const sim = new Simulation({
    seed: options.seed,
    nodes: replicas,
    provider: insecure,
    edges: options.degree === undefined ? completeTopology(replicas) : randomTopology(replicas, options.degree, new Prng(options.seed)),
    // Random delivery: jitter and reordering shuffle arrival order; some messages are lost (each
    // 1,400-byte frame with probability 1%, so a large message rarely makes it), some arrive twice.
    link: { latencyMs: 5, jitterMs: 20, loss: 0.01, duplicate: 0.05, reorder: 0.2, reorderDelayMs: 200, bandwidthBytesPerSec: 10_000_000 },
    antiEntropy: { intervalMs: 3_000, connectDelayMs: 300, idleTimeoutMs: 2_000, retryDelayMs: 1_000 },
    gossip: { wantTimeoutMs: 100, retryTimeoutMs: 300 },
    // The DAG delivers in causal order, so each replica applies every vertex's operations once.
    onPlaced: (node, vertex) => void (stores[node.index] as DocumentStore).applyVertex(vertex, vertex.payload),
  });
  const rand = new Prng(options.seed ^ 0x9e3779b9);
  const topics = [1, 2, 3].map((i) => new Uint8Array(16).fill(i));
  let toggles = 0;
  for (let step = 0; step < steps; step++) {
    if (rand.chance(writeRate)) {
      const online = sim.nodes.filter((n) => sim.isOnline(n.index));
      if (online.length > 0) {
        const node = rand.pick(online);
        const topic = rand.pick(topics);
        const store = stores[node.index] as DocumentStore;
        sim.write(node.index, topic, store.change(topic, [randomChange(store, topic, node.signer.author, rand)], node.signer.author));
      }
    }
    if (rand.chance(churnRate)) {
      toggles++;
      if (rand.chance(0.75)) {
        const link = rand.pick(sim.links);
        sim.setLinkUp(link.a, link.b, !link.up);
      } else {
        const node = rand.int(replicas);
        if (sim.isOnline(node)) sim.leave(node);
        else sim.rejoin(node);
      }
    }
    sim.run(sim.now + stepMs);
  }
  // Final sync: every link and replica back, no more faults.
  sim.setLinkProfile({ loss: 0, duplicate: 0, reorder: 0 });
  for (let i = 0; i < replicas; i++) sim.rejoin(i);
  sim.heal();
  const converged = sim.runUntil(() => sim.converged(), sim.now + 120_000);
  const frontiers = sim.nodes.map((n) => n.dag.topics().map((t) => `${t}:${n.dag.frontier(t).map(toHex).join(',')}`).join('|'));
  const documents = stores.map((store) =>
    topics.map((t) => DOCS.map(([type, name]) => `${type}/${name}:${toHex(store.encodedState(t, type, name) ?? new Uint8Array(0))}`).join(';')).join('|'),
  );
  const s0 = stores[0] as DocumentStore;
  const t0 = topics[0] as Uint8Array;
  const sample = `likes=${s0.value(t0, 'pn-counter', 'likes')} members=${s0.value(t0, 'or-set', 'members').length} title=${String(s0.value(t0, 'lww-register', 'title'))}`;
  return { converged, vertices: sim.pool.size, steps, virtualMs: sim.now, toggles, counters: sim.counters(), frontiers, documents, sample, sim };
}
