// Benchmark `sync`: bytes and round trips of a reconciliation session against the minimum
// (the missing vertices plus 32 B of id each) and against Automerge's own sync protocol syncing
// the same kind of difference, measured in the same run.
//
//   npm run bench -- sync [--quick]
//
// A round trip is counted as two consecutive flights in opposite directions: the messages of a
// session are grouped into flights (maximal runs sent by one side before the other speaks) and
// round trips = ceil(flights / 2), for both protocols alike. Overhead = total bytes − payload bytes
// (for us the missing vertex encodings; for Automerge the missing changes as `getChanges` encodes
// them). Vertices are real format-1 vertices with ML-DSA-65-sized signatures from the
// simulator-only signature scheme (creating 100,000 real ML-DSA signatures would take minutes).
import * as A from '@automerge/automerge';
import { parseArgs } from 'node:util';
import { defaultProvider } from '../src/crypto/index.ts';
import { createVertex, Dag, idKey, KeyRing, validateVertex, type AuthorKey, type DecodedVertex } from '../src/dag/index.ts';
import { insecureSimulationProvider } from '../src/sim/index.ts';
import { DagReplica, SyncSession } from '../src/sync/index.ts';
import { prng, randomSource } from '../test/support/fixtures.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const provider = insecureSimulationProvider(defaultProvider());
const hash = (d: Uint8Array): Uint8Array => provider.sha3_256(d);

const AUTHORS = Array.from({ length: 16 }, (_, i) => {
  const seed = new Uint8Array(32).fill(i + 1);
  const pair = provider.mlDsa65.keyPair(seed);
  return { author: provider.sha3_256(pair.publicKey), sign: pair.sign, key: { algorithm: 'ml-dsa-65', publicKey: pair.publicKey } as AuthorKey };
});
const TOPIC = new Uint8Array(16).fill(7);

function payload(r: () => number): Uint8Array {
  return Uint8Array.from({ length: 100 + Math.floor(r() * 201) }, () => Math.floor(r() * 256));
}

/**
 * Appends `count` vertices to a history: several writers, each with its own (often stale) view of
 * the tips — forks — that now and then catches up with every tip — merges.
 */
function extend(dag: Dag, count: number, seed: number, writerCount = 6): DecodedVertex[] {
  const r = prng(seed);
  const writers = Array.from({ length: writerCount }, () => dag.frontier(TOPIC));
  const out: DecodedVertex[] = [];
  for (let i = 0; i < count; i++) {
    const w = Math.floor(r() * writers.length);
    if (r() < 0.2) writers[w] = dag.frontier(TOPIC);
    const parents = (writers[w] as Uint8Array[]).slice(-64);
    const lamport = 1 + Math.max(0, ...parents.map((p) => dag.get(p)?.lamport ?? 0));
    const a = AUTHORS[Math.floor(r() * AUTHORS.length)] as (typeof AUTHORS)[number];
    const v = createVertex({ topic: TOPIC, parents, lamport, payload: payload(r) }, a, provider);
    dag.add(v);
    writers[w] = [v.id];
    out.push(v);
  }
  return out;
}

class Node {
  readonly dag = new Dag();
  readonly bytes = new Map<string, Uint8Array>();
  readonly keys = new KeyRing(provider);
  readonly replica: DagReplica;
  constructor(vertices: readonly DecodedVertex[][]) {
    for (const a of AUTHORS) this.keys.add(a.key);
    for (const list of vertices) {
      for (const v of list) {
        this.dag.add(v);
        this.bytes.set(v.key, v.bytes);
      }
    }
    this.replica = new DagReplica({ dag: this.dag, bytes: (k) => this.bytes.get(k), keys: this.keys, authors: () => AUTHORS.map((a) => a.author) });
  }
  ingest(vertices: readonly Uint8Array[], keys: readonly AuthorKey[]): void {
    for (const k of keys) this.keys.add(k);
    for (const b of vertices) {
      const v = validateVertex(b, this.keys, provider);
      if (!v.ok) throw new Error(`received vertex refused: ${v.reason}`);
      const out = this.dag.add(v.vertex, 'peer');
      if (out.status !== 'added') throw new Error(`received vertex not placed: ${out.status}`);
      for (const x of out.added) this.bytes.set(x.key, x.bytes);
      this.replica.noteAdded(out.added);
    }
  }
}

/** Groups a message log into flights and counts round trips as ceil(flights / 2). */
function roundTrips(directions: readonly string[]): number {
  let flights = 0;
  for (let i = 0; i < directions.length; i++) if (i === 0 || directions[i] !== directions[i - 1]) flights++;
  return Math.ceil(flights / 2);
}

function ours(a: Node, b: Node, seed: number): { bytes: number; roundTrips: number; ms: number; hashed: number } {
  const random = randomSource(seed);
  const started = performance.now();
  const init = SyncSession.initiate({ replica: a.replica, hash, random, mode: { kind: 'topics', topics: [TOPIC] } });
  const resp = SyncSession.respond({ replica: b.replica, hash, random });
  resp.start();
  const log: string[] = [];
  let bytes = 0;
  let inbox = init.start();
  let toB = true;
  while (inbox.length > 0) {
    const session = toB ? resp : init;
    const node = toB ? b : a;
    const out: Uint8Array[] = [];
    for (const m of inbox) {
      bytes += m.length;
      log.push(toB ? 'a>b' : 'b>a');
      const step = session.receive(m);
      if (step.error !== undefined) throw new Error(`session failed: ${step.error.code} ${step.error.detail}`);
      node.ingest(step.vertices, step.keys);
      out.push(...step.send);
    }
    inbox = out;
    toB = !toB;
  }
  if (!init.done || !resp.done) throw new Error('session did not end');
  const ms = performance.now() - started;
  const fa = a.dag.frontier(TOPIC).map(idKey).join();
  if (fa !== b.dag.frontier(TOPIC).map(idKey).join() || a.dag.size !== b.dag.size) throw new Error('replicas did not converge');
  return { bytes, roundTrips: roundTrips(log), ms, hashed: init.itemsHashed + resp.itemsHashed };
}

// --- Automerge: the same kind of history (several actors, forks, merges), its own sync protocol.
// Changes are made through the document's wasm backend (put + commit), which is what `A.change`
// does minus materialising a JavaScript object after every change: the history is the same, it
// is only built faster.
type Doc = A.Doc<Record<string, unknown>>;
type Backend = ReturnType<typeof A.getBackend>;

interface AmHistory {
  readonly changes: Uint8Array[];
  readonly actors: Backend[];
  readonly seen: number[];
  readonly actorOf: number[];
}

function amStart(): AmHistory {
  const actors = Array.from({ length: 3 }, (_, i) => A.getBackend(A.init<Record<string, unknown>>({ actor: (i + 1).toString(16).padStart(32, '0') })));
  return { changes: [], actors, seen: actors.map(() => 0), actorOf: [] };
}

/** Appends `count` changes: a random actor edits; now and then it first merges the others' changes. */
function amExtend(h: AmHistory, count: number, seed: number): Uint8Array[] {
  const r = prng(seed);
  const made: Uint8Array[] = [];
  // About 50 merges per history: each costs Automerge time that grows with the history.
  const mergeRate = Math.min(0.01, 50 / count);
  for (let i = 0; i < count; i++) {
    const a = Math.floor(r() * h.actors.length);
    const actor = h.actors[a] as Backend;
    if (r() < mergeRate) {
      const from = h.seen[a] as number;
      actor.applyChanges(h.changes.slice(from).filter((_, j) => h.actorOf[from + j] !== a));
      h.seen[a] = h.changes.length;
    }
    actor.put('_root', 'k' + (i % 64), payload(r));
    actor.commit(null, 0);
    const c = actor.getLastLocalChange() as Uint8Array;
    h.changes.push(c);
    h.actorOf.push(a);
    made.push(c);
  }
  return made;
}

/** Joins many chunks (an array, not spread arguments: a history has up to 100,000 changes). */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function amDoc(base: Doc, extra: readonly Uint8Array[]): Doc {
  return extra.length === 0 ? A.clone(base) : A.loadIncremental(A.clone(base), concat(extra));
}

interface AmSide {
  doc: Doc;
  state: A.SyncState;
  readonly direction: string;
}

function automerge(docA: Doc, docB: Doc): { bytes: number; roundTrips: number; ms: number } {
  const started = performance.now();
  const a: AmSide = { doc: docA, state: A.initSyncState(), direction: 'a>b' };
  const b: AmSide = { doc: docB, state: A.initSyncState(), direction: 'b>a' };
  const log: string[] = [];
  let bytes = 0;
  let idle = 0;
  // The sides take turns; the sync is over when both have nothing to say in a row.
  for (let turnA = true; idle < 2; turnA = !turnA) {
    const [from, to] = turnA ? [a, b] : [b, a];
    const [next, msg] = A.generateSyncMessage(from.doc, from.state);
    from.state = next;
    if (msg === null) {
      idle++;
      continue;
    }
    idle = 0;
    bytes += msg.length;
    log.push(from.direction);
    [to.doc, to.state] = A.receiveSyncMessage(to.doc, to.state, msg);
  }
  const ms = performance.now() - started;
  if (A.getHeads(a.doc).sort().join() !== A.getHeads(b.doc).sort().join()) throw new Error('automerge did not converge');
  return { bytes, roundTrips: roundTrips(log), ms };
}

// --- Cases.
interface Case {
  n: number;
  d: number;
  kind: 'one-side' | 'diverged';
}
const cases: Case[] = values.quick
  ? [
      { n: 2_000, d: 10, kind: 'one-side' },
      { n: 2_000, d: 100, kind: 'diverged' },
    ]
  : [
      { n: 10_000, d: 10, kind: 'one-side' },
      { n: 10_000, d: 100, kind: 'one-side' },
      { n: 10_000, d: 100, kind: 'diverged' },
      { n: 100_000, d: 1_000, kind: 'one-side' },
      { n: 100_000, d: 1_000, kind: 'diverged' },
    ];

const results: Record<string, number | string | boolean>[] = [];
for (const n of [...new Set(cases.map((c) => c.n))]) {
  const maxD = Math.max(...cases.filter((c) => c.n === n).map((c) => c.d));
  const t0 = performance.now();
  // Our history: shared part, then an extension (the "ahead" side), and a second branch.
  const gen = new Dag();
  const shared = extend(gen, n - maxD, n);
  const sharedFrontierDag = new Dag();
  for (const v of shared) sharedFrontierDag.add(v);
  const ext = extend(gen, maxD, n + 1);
  const branch = extend(sharedFrontierDag, maxD / 2, n + 2, 2);
  const tOurs = performance.now() - t0;
  // Automerge history of the same shape and sizes.
  const t1 = performance.now();
  const h = amStart();
  amExtend(h, n - maxD, n);
  const amShared = A.loadIncremental(A.init<Record<string, unknown>>(), concat(h.changes));
  const sharedCount = h.changes.length;
  const amExt = amExtend(h, maxD, n + 1);
  const fork = A.getBackend(A.clone(amShared, { actor: 'ee'.repeat(16) }));
  const amBranch: Uint8Array[] = [];
  const rb = prng(n + 2);
  for (let i = 0; i < maxD / 2; i++) {
    fork.put('_root', 'b' + (i % 64), payload(rb));
    fork.commit(null, 0);
    amBranch.push(fork.getLastLocalChange() as Uint8Array);
  }
  const tAm = performance.now() - t1;
  console.error(`n=${n}: our history ${(tOurs / 1000).toFixed(1)} s, automerge history ${(tAm / 1000).toFixed(1)} s (${sharedCount} shared changes)`);

  for (const c of cases.filter((x) => x.n === n)) {
    const cut = maxD - c.d; // shared vertices beyond n - maxD that both sides hold in this case
    let a: Node;
    let b: Node;
    let missing: DecodedVertex[];
    let amA: Doc;
    let amB: Doc;
    let amMissing: Uint8Array[];
    if (c.kind === 'one-side') {
      // The initiator holds everything; the responder lacks the last d (the harder direction: 2 round trips).
      a = new Node([shared, ext]);
      b = new Node([shared, ext.slice(0, cut)]);
      missing = ext.slice(cut);
      amA = amDoc(amShared, amExt);
      amB = amDoc(amShared, amExt.slice(0, cut));
      amMissing = amExt.slice(cut);
    } else {
      const half = c.d / 2;
      a = new Node([shared, ext.slice(0, half)]);
      b = new Node([shared, branch.slice(0, half)]);
      missing = [...ext.slice(0, half), ...branch.slice(0, half)];
      amA = amDoc(amShared, amExt.slice(0, half));
      amB = amDoc(amShared, amBranch.slice(0, half));
      amMissing = [...amExt.slice(0, half), ...amBranch.slice(0, half)];
    }
    const payloadBytes = missing.reduce((s, v) => s + v.bytes.length, 0);
    const us = ours(a, b, c.n + c.d);
    const am = automerge(amA, amB);
    const amPayload = amMissing.reduce((s, ch) => s + ch.length, 0);
    const minBytes = payloadBytes + 32 * c.d;
    const bound = c.kind === 'one-side' ? 2 : Math.ceil(Math.log(c.n) / Math.log(16)) + 2;
    const row = {
      n: c.n,
      d: c.d,
      kind: c.kind,
      ours_bytes: us.bytes,
      min_bytes: minBytes,
      ratio: Number((us.bytes / minBytes).toFixed(4)),
      ours_round_trips: us.roundTrips,
      round_trip_bound: bound,
      automerge_bytes: am.bytes,
      automerge_round_trips: am.roundTrips,
      ours_overhead_bytes: us.bytes - payloadBytes,
      automerge_overhead_bytes: am.bytes - amPayload,
      ours_payload_bytes: payloadBytes,
      automerge_payload_bytes: amPayload,
      ours_ms: Math.round(us.ms),
      automerge_ms: Math.round(am.ms),
      ours_items_hashed: us.hashed,
      targets_met: us.bytes / minBytes <= 1.1 && us.roundTrips <= bound && us.bytes - payloadBytes < am.bytes - amPayload,
    };
    console.error(JSON.stringify(row));
    results.push(row);
  }
}
console.log(
  JSON.stringify({
    bench: 'sync',
    cases: results,
    target_ratio: 1.1,
    all_targets_met: results.every((r) => r['targets_met'] === true),
  }),
);
