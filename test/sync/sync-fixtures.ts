import { toHex } from '../../src/crypto/index.ts';
import { createVertex, Dag, idKey, KeyRing, validateVertex, type AuthorKey, type DecodedVertex, type VertexSigner } from '../../src/dag/index.ts';
import { insecureSimulationProvider } from '../../src/sim/index.ts';
import { DagReplica, SyncSession, type SyncMode, type SyncPeerState, type SyncStep, type SyncTuning } from '../../src/sync/index.ts';
import { fastProvider, prng, randomSource } from '../support/fixtures.ts';

/** ML-DSA-65 sizes, hash signatures: fast enough for thousands of vertices per test. */
export const simProvider = insecureSimulationProvider(fastProvider);
export const hash = (d: Uint8Array): Uint8Array => simProvider.sha3_256(d);

export interface SimAuthor extends VertexSigner {
  readonly key: AuthorKey;
}

export function simAuthor(n: number): SimAuthor {
  const seed = new Uint8Array(32);
  seed[0] = n & 0xff;
  seed[1] = (n >> 8) & 0xff;
  seed[31] = 0x5a;
  const pair = simProvider.mlDsa65.keyPair(seed);
  return { author: simProvider.sha3_256(pair.publicKey), key: { algorithm: 'ml-dsa-65', publicKey: pair.publicKey }, sign: pair.sign };
}

export function topic(n: number): Uint8Array {
  const t = new Uint8Array(16);
  t[0] = n;
  t[15] = 0x33;
  return t;
}

export { randomSource };

export interface TestNodeOptions {
  /** Carries every topic (a courier). */
  readonly carriesAll?: boolean;
  /** Topics carried before any vertex of them is held (a member). */
  readonly member?: readonly Uint8Array[];
  /** Authors whose keys the node holds from the start. */
  readonly keys?: readonly SimAuthor[];
}

/** A node for tests: DAG, vertex bytes, key ring, and the replica adapter over them. */
export class TestNode {
  readonly dag = new Dag({ quarantine: { maxVertices: 100_000, maxBytes: 1 << 30, maxPerSource: 100_000 } });
  readonly bytes = new Map<string, Uint8Array>();
  readonly keys = new KeyRing(simProvider);
  readonly authors = new Map<string, Uint8Array>();
  readonly replica: DagReplica;
  quarantined = 0;
  rejected = 0;
  #uncommitted: Uint8Array[] = [];

  constructor(options: TestNodeOptions = {}) {
    const member = new Set((options.member ?? []).map(toHex));
    this.replica = new DagReplica({
      dag: this.dag,
      bytes: (k) => this.bytes.get(k),
      keys: this.keys,
      authors: () => this.authors.values(),
      ...(options.carriesAll === true ? { carries: () => true } : member.size > 0 ? { carries: (t: Uint8Array) => member.has(toHex(t)) || this.dag.topicSize(t) > 0 } : {}),
    });
    for (const a of options.keys ?? []) this.addKey(a.key);
  }

  addKey(key: AuthorKey): void {
    const r = this.keys.add(key);
    if (r.ok) this.authors.set(idKey(r.author), r.author);
  }

  /** Places a vertex made here (or copied from a fixture). */
  add(v: DecodedVertex): void {
    const out = this.dag.add(v);
    if (out.status !== 'added') throw new Error(`fixture vertex not added: ${out.status}`);
    for (const a of out.added) this.bytes.set(a.key, a.bytes);
    this.replica.noteAdded(out.added);
  }

  /** What a host does with a session step: learn keys, then validate and place vertices. */
  apply(step: SyncStep): void {
    for (const k of step.keys) this.addKey(k);
    for (const bytes of [...this.#uncommitted.splice(0), ...step.vertices]) {
      const v = validateVertex(bytes, this.keys, simProvider);
      if (!v.ok) {
        if (v.reason === 'author-unknown') this.#uncommitted.push(bytes);
        else this.rejected++;
        continue;
      }
      const out = this.dag.add(v.vertex, 'peer');
      if (out.status === 'quarantined') this.quarantined++;
      if (out.status === 'added') {
        for (const a of out.added) this.bytes.set(a.key, a.bytes);
        this.replica.noteAdded(out.added);
      }
    }
  }

  /** A copy of this node's vertices and keys (as a fresh node with the same options). */
  copy(options: TestNodeOptions = {}): TestNode {
    const n = new TestNode(options);
    for (const k of this.keys.keys()) n.addKey(k);
    for (const m of this.dag.topologicalOrder()) {
      const v = validateVertex(this.bytes.get(m.key) as Uint8Array, this.keys, simProvider);
      if (!v.ok) throw new Error(v.detail);
      n.add(v.vertex);
    }
    return n;
  }

  frontierKeys(t: Uint8Array): string[] {
    return this.dag.frontier(t).map(idKey);
  }

  allKeys(t: Uint8Array): string[] {
    return this.dag.topologicalOrder(t).map((m) => m.key).sort();
  }
}

/** Two nodes made with the same options. */
export function nodePair(options: TestNodeOptions = {}): [TestNode, TestNode] {
  return [new TestNode(options), new TestNode(options)];
}

/**
 * Grows a DAG with forks and merges: each writer keeps its own view of the tips and now and then
 * catches up with everything; vertices go to every node in `to`.
 */
export function grow(
  to: readonly TestNode[],
  options: { topic: Uint8Array; count: number; authors: readonly SimAuthor[]; seed: number; writers?: number; payload?: number },
): DecodedVertex[] {
  const r = prng(options.seed);
  const base = to[0] as TestNode;
  const writers = Array.from({ length: options.writers ?? 3 }, () => base.dag.frontier(options.topic));
  const made: DecodedVertex[] = [];
  const lamports = new Map<string, number>();
  const lamportOf = (id: Uint8Array): number => lamports.get(idKey(id)) ?? (base.dag.get(id)?.lamport as number);
  for (let i = 0; i < options.count; i++) {
    const w = Math.floor(r() * writers.length);
    if (r() < 0.3) writers[w] = base.dag.frontier(options.topic);
    const parents = (writers[w] as Uint8Array[]).slice(0, 64);
    const author = options.authors[Math.floor(r() * options.authors.length)] as SimAuthor;
    const payload = Uint8Array.from({ length: options.payload ?? 120 }, () => Math.floor(r() * 256));
    const lamport = 1 + Math.max(0, ...parents.map(lamportOf));
    const v = createVertex({ topic: options.topic, parents, lamport, payload }, author, simProvider);
    lamports.set(v.key, v.lamport);
    for (const n of to) n.add(v);
    writers[w] = [v.id];
    made.push(v);
  }
  return made;
}

export interface SessionRun {
  readonly initiator: SyncSession;
  readonly responder: SyncSession;
  /** Flights (consecutive frame groups in one direction) and round trips = ceil(flights / 2). */
  readonly flights: number;
  readonly roundTrips: number;
  readonly bytes: number;
}

/** Runs a session between two nodes to its end, handing every step to its node like a host. */
export function runSession(
  a: TestNode,
  b: TestNode,
  mode: SyncMode,
  options: {
    seed?: number;
    tuning?: Partial<SyncTuning>;
    stateA?: SyncPeerState;
    stateB?: SyncPeerState;
    maxFlights?: number;
    initiatorRandom?: (n: number) => Uint8Array;
    /** Hand vertices to the nodes only once the session is over (a host that ingests late). */
    ingestAtEnd?: boolean;
  } = {},
): SessionRun {
  const seed = options.seed ?? 1;
  const initiator = SyncSession.initiate({
    replica: a.replica,
    hash,
    random: options.initiatorRandom ?? randomSource(seed),
    mode,
    ...(options.tuning === undefined ? {} : { tuning: options.tuning }),
    ...(options.stateA === undefined ? {} : { peerState: options.stateA }),
  });
  const responder = SyncSession.respond({
    replica: b.replica,
    hash,
    random: randomSource(seed + 1000),
    ...(options.tuning === undefined ? {} : { tuning: options.tuning }),
    ...(options.stateB === undefined ? {} : { peerState: options.stateB }),
  });
  responder.start();
  const late: [TestNode, SyncStep][] = [];
  let messages = initiator.start();
  let toResponder = true;
  let flights = messages.length > 0 ? 1 : 0;
  let bytes = messages.reduce((s, m) => s + m.length, 0);
  while (messages.length > 0) {
    if (flights > (options.maxFlights ?? 64)) throw new Error('session does not end');
    const session = toResponder ? responder : initiator;
    const node = toResponder ? b : a;
    const out: Uint8Array[] = [];
    for (const m of messages) {
      const step = session.receive(m);
      if (options.ingestAtEnd === true) late.push([node, step]);
      else node.apply(step);
      out.push(...step.send);
    }
    messages = out;
    toResponder = !toResponder;
    if (out.length > 0) flights++;
    bytes += out.reduce((s, m) => s + m.length, 0);
  }
  for (const [node, step] of late) node.apply(step);
  return { initiator, responder, flights, roundTrips: Math.ceil(flights / 2), bytes };
}
