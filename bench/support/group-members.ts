// Group members for benchmarks: the in-memory driver of test/group/group-fixtures.ts, but every
// vertex carries a real ML-DSA-65 signature made with the member's own key pair, randomness is
// the provider's, and each write reports how long its steps took. Vertices move between members
// only when the benchmark delivers them.
import { toHex, type CryptoProvider, type SigningKeyPair } from '../../src/crypto/index.ts';
import { createVertex, Dag, type DecodedVertex, type VertexSigner } from '../../src/dag/index.ts';
import { Group, MemberSecrets, ownKemKey, type ControlOp, type ProcessOutcome, type WriteIntent } from '../../src/group/index.ts';

/** One vertex of a write, with its cost. */
export interface WriteStep {
  readonly vertex: DecodedVertex;
  readonly kind: 'control' | 'message';
  /** `Group.prepare` alone: the group layer's cost of the payload. */
  readonly prepareMs: number;
  /** prepare + sign + place in the DAG + process by the writer's own group. */
  readonly totalMs: number;
}

/** Greatest number of vertices one write may take before the driver gives up. */
const MAX_STEPS = 100;

export class BenchMember implements VertexSigner {
  readonly provider: CryptoProvider;
  readonly author: Uint8Array;
  readonly signingKey: Uint8Array;
  readonly hex: string;
  readonly dag = new Dag();
  readonly vertices = new Map<string, DecodedVertex>();
  group: Group | undefined;
  /** Seed of the published key this member hands an admin who adds it. */
  readonly joinSeed: Uint8Array;
  readonly #pair: SigningKeyPair;
  #joinKem: Uint8Array | undefined;

  constructor(provider: CryptoProvider) {
    this.provider = provider;
    this.#pair = provider.mlDsa65.keyPair(provider.randomBytes(32));
    this.signingKey = this.#pair.publicKey;
    this.author = provider.sha3_256(this.signingKey);
    this.hex = toHex(this.author);
    this.joinSeed = provider.randomBytes(64);
  }

  sign(message: Uint8Array, context: Uint8Array): Uint8Array {
    return this.#pair.sign(message, context);
  }

  get joinKem(): Uint8Array {
    this.#joinKem ??= ownKemKey(this.provider, this.joinSeed).publicKey;
    return this.#joinKem;
  }

  get topic(): Uint8Array {
    return this.#group().topic;
  }

  /** Creates a new group with this member as its admin. */
  create(name: string): Group {
    const g = Group.genesis({ provider: this.provider, self: this.author }, name);
    const vertex = this.#place(g.keys.topic, g.payload);
    this.group = new Group({ provider: this.provider, self: this.author }, { secret: g.secret, genesis: vertex.id }, g.secrets);
    this.group.process(vertex);
    return this.group;
  }

  /** Takes the group descriptor (what a welcome carries) with its join key, then receives `source`'s DAG (default the admin's). */
  joinFrom(admin: BenchMember, source: BenchMember = admin): Map<string, ProcessOutcome> {
    const secrets = new MemberSecrets();
    secrets.rotate(ownKemKey(this.provider, this.joinSeed));
    this.group = new Group({ provider: this.provider, self: this.author }, admin.#group().descriptor, secrets);
    return source.deliverTo(this);
  }

  addOp(member: BenchMember, role: 'admin' | 'member' = 'member'): ControlOp {
    return { o: 'add', member: member.author, signingKey: member.signingKey, kemKey: member.joinKem, role };
  }

  removeOp(member: BenchMember): ControlOp {
    return { o: 'remove', member: member.author };
  }

  /** Writes an intent, with whatever prerequisite vertices (rotation, epoch slots) it needs first. */
  write(intent: WriteIntent): WriteStep[] {
    const g = this.#group();
    const steps: WriteStep[] = [];
    for (let guard = 0; guard < MAX_STEPS; guard++) {
      const started = performance.now();
      const { parents } = this.dag.nextParents(g.topic, this.author);
      const keys = parents.map(toHex);
      const before = performance.now();
      const prepared = g.prepare(keys, intent);
      const prepareMs = performance.now() - before;
      const vertex = this.#place(g.topic, prepared.payload);
      const outcome = g.process(vertex);
      if (outcome.status === 'rejected') throw new Error(`own vertex rejected: ${outcome.reason} ${outcome.detail}`);
      steps.push({ vertex, kind: prepared.kind, prepareMs, totalMs: performance.now() - started });
      if (prepared.done) return steps;
    }
    throw new Error('write did not finish');
  }

  /**
   * Signs and places a payload this member's group prepared on `parents` (any processed vertices,
   * not necessarily the whole frontier), and processes it as its own.
   */
  placeOn(parents: readonly DecodedVertex[], payload: Uint8Array): DecodedVertex {
    const g = this.#group();
    const lamport = 1 + Math.max(0, ...parents.map((p) => p.lamport));
    const vertex = createVertex({ topic: g.topic, parents: parents.map((p) => p.id), lamport, payload }, this, this.provider);
    this.#add(vertex);
    const outcome = g.process(vertex);
    if (outcome.status === 'rejected') throw new Error(`own vertex rejected: ${outcome.reason} ${outcome.detail}`);
    return vertex;
  }

  say(content: Uint8Array): WriteStep[] {
    return this.write({ kind: 'message', content });
  }

  /** Processes vertices this member does not hold yet (parents first), returning their outcomes by vertex key. */
  receive(vertices: Iterable<DecodedVertex>): Map<string, ProcessOutcome> {
    const out = new Map<string, ProcessOutcome>();
    for (const vertex of vertices) {
      if (this.vertices.has(vertex.key)) continue;
      const added = this.dag.add(vertex);
      if (added.status !== 'added') continue;
      for (const v of added.added) {
        this.vertices.set(v.key, v);
        if (this.group !== undefined) out.set(v.key, this.group.process(v));
      }
    }
    return out;
  }

  /**
   * Group processing alone of vertices whose parents this member already processed, in the order
   * given: returns the milliseconds the `Group.process` calls took, then places the vertices in
   * this member's DAG (untimed).
   */
  processTimed(vertices: readonly DecodedVertex[], outcomes: ProcessOutcome[]): number {
    const g = this.#group();
    const started = performance.now();
    for (const v of vertices) outcomes.push(g.process(v));
    const ms = performance.now() - started;
    for (const v of vertices) this.#add(v);
    return ms;
  }

  /** Delivers everything this member holds to `other`, parents first. */
  deliverTo(other: BenchMember): Map<string, ProcessOutcome> {
    return other.receive(this.dag.topologicalOrder().map((meta) => this.vertices.get(meta.key) as DecodedVertex));
  }

  #group(): Group {
    if (this.group === undefined) throw new Error('not in a group yet');
    return this.group;
  }

  #place(topic: Uint8Array, payload: Uint8Array): DecodedVertex {
    const { parents, lamport } = this.dag.nextParents(topic, this.author);
    const vertex = createVertex({ topic, parents, lamport, payload }, this, this.provider);
    this.#add(vertex);
    return vertex;
  }

  #add(vertex: DecodedVertex): void {
    const added = this.dag.add(vertex);
    if (added.status !== 'added') throw new Error(`own vertex not placed: ${added.status}`);
    this.vertices.set(vertex.key, vertex);
  }
}

/** An admin and `size - 1` other members added in as few control vertices as the payload limit allows; nobody else joins. */
export function buildGroup(provider: CryptoProvider, size: number, name = 'bench'): { admin: BenchMember; others: BenchMember[] } {
  const admin = new BenchMember(provider);
  admin.create(name);
  const others = Array.from({ length: size - 1 }, () => new BenchMember(provider));
  // An add op is about 3.2 KB (ML-DSA and ML-KEM public keys): 16 fit a 64 KiB payload.
  for (let i = 0; i < others.length; i += 16) admin.write({ kind: 'ops', ops: others.slice(i, i + 16).map((m) => admin.addOp(m)) });
  return { admin, others };
}
