// Benchmark `sim-partition`: a network of simulated nodes (random topology) is cut in two halves,
// both halves write while split, then the cut heals; the run ends when every node holds every
// vertex with equal frontiers, or at a virtual-time limit. Push gossip carries writes inside each
// half; anti-entropy sessions (started on every healed link, after a random delay) and gossip
// repair the difference after the heal.
//
//   npm run bench -- sim-partition [--nodes 1000] [--degree 6] [--writes 300] [--seed 1]
//                                  [--authors 200] [--topics 2] [--payload 1052] [--split-s 30]
//                                  [--limit-s 600]
//
// Writers are random nodes from a pool of `authors` chosen at random (the group members who
// post; every other node relays and stores). The pool's keys are the roster every node holds,
// so each reconciliation session announces them in its author filter.
// The last line is one JSON object. duplicate_ratio = bytes received by all nodes (gossip and
// sync, every message and header) / unique bytes needed (for each node, the bytes of the vertices
// it did not write: the least any protocol must deliver). Simulator-only signatures stand in for
// ML-DSA-65 (same sizes; every node still decodes, hashes and checks every vertex it receives).
import { parseArgs } from 'node:util';
import { defaultProvider } from '../src/crypto/index.ts';
import { insecureSimulationProvider, Prng, randomTopology, Simulation } from '../src/sim/index.ts';
import type { ForwardMode } from '../src/sync/index.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    degree: { type: 'string', default: '6' },
    writes: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    authors: { type: 'string', default: '200' },
    topics: { type: 'string', default: '2' },
    payload: { type: 'string', default: '1052' }, // the 1 KiB padding bucket + AEAD nonce and tag
    'split-s': { type: 'string', default: '30' },
    'limit-s': { type: 'string', default: '600' },
    // Tuning knobs (defaults are the library defaults).
    'connect-delay-ms': { type: 'string' },
    'max-concurrent': { type: 'string' },
    'sync-forward': { type: 'string' },
    'reply-forward': { type: 'string' },
    'refuse-busy': { type: 'string' },
    fanout: { type: 'string' },
    'want-timeout-ms': { type: 'string' },
  },
});
const nodes = Number(values.nodes);
const degree = Number(values.degree);
const writes = Number(values.writes);
const seed = Number(values.seed);
const authorCount = Math.min(nodes, Number(values.authors));
const topicCount = Number(values.topics);
const payloadBytes = Number(values.payload);
const splitMs = Number(values['split-s']) * 1000;
const limitMs = Number(values['limit-s']) * 1000;

const wallStart = performance.now();
const provider = insecureSimulationProvider(defaultProvider());
const plan = new Prng(seed ^ 0x5eed);
const edges = randomTopology(nodes, degree, plan.fork());
const authors = plan.shuffle(Array.from({ length: nodes }, (_, i) => i)).slice(0, authorCount);
const antiEntropy = {
  ...(values['connect-delay-ms'] === undefined ? {} : { connectDelayMs: Number(values['connect-delay-ms']) }),
  ...(values['max-concurrent'] === undefined ? {} : { maxConcurrent: Number(values['max-concurrent']) }),
};
const sim = new Simulation({
  seed,
  nodes,
  provider,
  edges,
  rosterNodes: authors,
  antiEntropy,
  gossip: {
    ...(values.fanout === undefined ? {} : { fanout: Number(values.fanout) }),
    ...(values['want-timeout-ms'] === undefined ? {} : { wantTimeoutMs: Number(values['want-timeout-ms']) }),
  },
  forward: {
    ...(values['sync-forward'] === undefined ? {} : { sync: values['sync-forward'] as ForwardMode }),
    ...(values['reply-forward'] === undefined ? {} : { reply: values['reply-forward'] as ForwardMode }),
  },
  ...(values['refuse-busy'] === undefined ? {} : { refuseWhenBusy: values['refuse-busy'] !== 'false' }),
});
const topics = Array.from({ length: topicCount }, (_, i) => {
  const t = new Uint8Array(16);
  t[0] = i + 1;
  return t;
});
const write = (node: number): void => {
  const payload = plan.fill(new Uint8Array(payloadBytes));
  sim.write(node, plan.pick(topics), payload);
};

// Shared history before the split: a tenth of the writes, from random nodes.
const before = Math.max(1, Math.round(writes / 10));
const warmMs = 5_000;
for (let i = 0; i < before; i++) sim.at(1_000 + (i * (warmMs - 2_000)) / before, () => write(plan.pick(authors)));
sim.run(warmMs);

// The cut: a random half against the other; every link between them goes down.
const order = plan.shuffle(Array.from({ length: nodes }, (_, i) => i));
const halves = [order.slice(0, nodes >> 1), order.slice(nodes >> 1)];
const sideOf = new Map(halves.flatMap((h, side) => h.map((node) => [node, side] as const)));
const cutLinks = sim.links.filter((l) => sideOf.get(l.a) !== sideOf.get(l.b)).length;
const writers = [0, 1].map((side) => authors.filter((a) => sideOf.get(a) === side));
if (writers.some((w) => w.length === 0)) throw new Error('each half needs at least one author: raise --authors');
sim.partition(halves);
const splitWrites = writes - before;
for (let i = 0; i < splitWrites; i++) {
  const side = writers[i % 2] as number[];
  sim.at(warmMs + ((i + 0.5) * splitMs) / splitWrites, () => write(plan.pick(side)));
}
const healAt = warmMs + splitMs + 2_000;
sim.run(healAt);
const atHeal = sim.counters();
sim.heal();
const converged = sim.runUntil(() => sim.converged(), healAt + limitMs);
const wallS = (performance.now() - wallStart) / 1000;

const total = sim.counters();
let uniqueNeeded = 0;
for (const node of sim.nodes) {
  for (const key of sim.pool.keys()) if (!node.authored.has(key)) uniqueNeeded += (sim.pool.get(key) as Uint8Array).length;
}
const vertexCount = sim.pool.size;
const meanVertex = sim.pool.totalBytes / vertexCount;
console.log(
  `nodes ${nodes} (${authorCount} authors), links ${sim.links.length} (${cutLinks} cut), vertices ${vertexCount} (mean ${meanVertex.toFixed(0)} B), ` +
    `events ${sim.events}, sessions ${total.sessionsStarted} started / ${total.sessionsCompleted} completed / ${total.sessionsFailed} failed / ${total.sessionsRefused} refused (busy)`,
);
console.log(
  `bytes received: gossip ${(total.gossipBytesReceived / 1e6).toFixed(1)} MB, sync ${(total.syncBytesReceived / 1e6).toFixed(1)} MB ` +
    `(${((total.syncBytesReceived - atHeal.syncBytesReceived) / 1e6).toFixed(1)} MB after the heal), unique needed ${(uniqueNeeded / 1e6).toFixed(1)} MB, ` +
    `duplicate vertex copies ${total.duplicateVertices} (${atHeal.duplicateVertices} before the heal)`,
);
console.log(
  JSON.stringify({
    bench: 'sim-partition',
    nodes,
    converged,
    virtual_s: +(sim.now / 1000).toFixed(3),
    wall_s: +wallS.toFixed(2),
    duplicate_ratio: +(total.bytesReceived / uniqueNeeded).toFixed(4),
    bytes_per_vertex_per_node: +(total.bytesReceived / (vertexCount * nodes)).toFixed(1),
    heal_to_converged_s: +((sim.now - healAt) / 1000).toFixed(3),
    degree,
    links: sim.links.length,
    cut_links: cutLinks,
    writes: vertexCount,
    seed,
    authors: authorCount,
    mean_vertex_bytes: Math.round(meanVertex),
    unique_bytes_needed: uniqueNeeded,
    bytes_received: total.bytesReceived,
    gossip_bytes_received: total.gossipBytesReceived,
    sync_bytes_received: total.syncBytesReceived,
    sessions: total.sessionsStarted,
    events: sim.events,
  }),
);
