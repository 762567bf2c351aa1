import { defaultProvider, ML_DSA_65, toHex, type CryptoProvider, type SigningKeyPair } from '../../src/crypto/index.ts';
import { createVertex, Dag, type DecodedVertex, type VertexSigner } from '../../src/dag/index.ts';
import { Group, MemberSecrets, ownKemKey, type ControlOp, type ProcessOutcome, type WriteIntent } from '../../src/group/index.ts';
import { randomSource } from './fixtures.ts';

/*
 * Group members driving the group engine over in-memory DAGs, for tests and the `group`
 * benchmark. Each member has its own DAG; vertices move between members only when a test
 * delivers them, so partitions are members that are not delivered to. With a seed, keys and
 * randomness are reproducible and vertices carry a dummy signature (checking signatures is the
 * DAG layer's business, tested there); the benchmark uses real ML-DSA-65 signatures and the
 * provider's randomness, so its timings are honest.
 */

export interface GroupMemberOptions {
  readonly provider?: CryptoProvider;
  /** Reproducible keys and randomness; without it, the provider's randomness. */
  readonly seed?: number;
  /** Sign vertices with the member's ML-DSA-65 key (default: a dummy signature). */
  readonly realSignatures?: boolean;
}

/** One vertex of a write, with its cost. */
export interface WriteStep {
  readonly vertex: DecodedVertex;
  readonly kind: 'control' | 'message';
  /** `Group.prepare` alone: the group layer's cost of the payload. */
  readonly prepareMs: number;
  /** prepare + sign + place in the DAG + process by the writer's own group. */
  readonly totalMs: number;
}

export interface Received {
  readonly vertex: DecodedVertex;
  readonly outcome: ProcessOutcome;
}

/** Greatest number of vertices one write may take before the driver gives up. */
const MAX_STEPS = 100;
const DUMMY_SIGNATURE = new Uint8Array(ML_DSA_65.signature);

export class GroupMember implements VertexSigner {
  readonly name: string;
  readonly provider: CryptoProvider;
  readonly seed: number | undefined;
  readonly random: (n: number) => Uint8Array;
  readonly signingKey: Uint8Array;
  readonly author: Uint8Array;
  readonly hex: string;
  readonly dag = new Dag();
  readonly vertices = new Map<string, DecodedVertex>();
  /** Every vertex the member's group processed, with its outcome, in processing order. */
  readonly log: Received[] = [];
  /** Plaintext of this member's own messages, by payload nonce. */
  readonly sent = new Map<string, string>();
  group: Group | undefined;
  /** Seed of the published key this member hands an admin who adds it. */
  readonly joinSeed: Uint8Array;
  readonly #pair: SigningKeyPair | undefined;

  constructor(name: string, options: GroupMemberOptions = {}) {
    this.name = name;
    this.provider = options.provider ?? defaultProvider();
    this.seed = options.seed;
    this.random = options.seed === undefined ? (n) => this.provider.randomBytes(n) : randomSource(options.seed);
    const pair = this.provider.mlDsa65.keyPair(this.random(32));
    this.#pair = options.realSignatures === true ? pair : undefined;
    this.signingKey = pair.publicKey;
    this.author = this.provider.sha3_256(this.signingKey);
    this.hex = toHex(this.author);
    this.joinSeed = this.random(64);
  }

  sign(message: Uint8Array, context: Uint8Array): Uint8Array {
    return this.#pair === undefined ? DUMMY_SIGNATURE : this.#pair.sign(message, context);
  }

  get joinKem(): Uint8Array {
    return ownKemKey(this.provider, this.joinSeed).publicKey;
  }

  #options(): { provider: CryptoProvider; self: Uint8Array; random: (n: number) => Uint8Array } {
    return { provider: this.provider, self: this.author, random: this.random };
  }

  #group(): Group {
    if (this.group === undefined) throw new Error(`${this.name} is not in a group yet`);
    return this.group;
  }

  /** Creates a new group with this member as its admin. */
  create(name: string): Group {
    const g = Group.genesis(this.#options(), name);
    const vertex = this.#place(g.keys.topic, g.payload);
    this.group = new Group(this.#options(), { secret: g.secret, genesis: vertex.id }, g.secrets);
    this.#process(vertex);
    return this.group;
  }

  /** Takes the group descriptor (what a welcome carries) with its join key, then receives `source`'s DAG (default the admin's). */
  joinFrom(admin: GroupMember, source: GroupMember = admin): Map<string, ProcessOutcome> {
    this.group = new Group(this.#options(), admin.#group().descriptor, GroupMember.joinSecrets(this.provider, this.joinSeed));
    return source.deliverTo(this);
  }

  /** The secrets a joiner starts with: its join key as its first published key. */
  static joinSecrets(provider: CryptoProvider, joinSeed: Uint8Array): MemberSecrets {
    const secrets = new MemberSecrets();
    secrets.rotate(ownKemKey(provider, joinSeed));
    return secrets;
  }

  addOp(member: GroupMember, role: 'admin' | 'member' = 'member'): ControlOp {
    return { o: 'add', member: member.author, signingKey: member.signingKey, kemKey: member.joinKem, role };
  }

  /** Writes an intent with whatever prerequisite vertices (rotation, epoch slots) it needs, timing each. */
  steps(intent: WriteIntent): WriteStep[] {
    const g = this.#group();
    const steps: WriteStep[] = [];
    for (let guard = 0; guard < MAX_STEPS; guard++) {
      const started = performance.now();
      const next = this.dag.nextParents(g.topic, this.author);
      const before = performance.now();
      const prepared = g.prepare(next.parents.map(toHex), intent);
      const prepareMs = performance.now() - before;
      if (prepared.kind === 'message' && intent.kind === 'message') this.sent.set(prepared.nonce, new TextDecoder().decode(intent.content));
      const vertex = this.#place(g.topic, prepared.payload, next);
      this.#process(vertex);
      steps.push({ vertex, kind: prepared.kind, prepareMs, totalMs: performance.now() - started });
      if (prepared.done) return steps;
    }
    throw new Error('write did not finish');
  }

  /** Writes an intent; returns its vertices, prerequisites first. */
  write(intent: WriteIntent): DecodedVertex[] {
    return this.steps(intent).map((s) => s.vertex);
  }

  say(text: string): DecodedVertex {
    return this.write({ kind: 'message', content: new TextEncoder().encode(text) }).at(-1) as DecodedVertex;
  }

  /** Writes a vertex with any payload (what a malicious member can do), processes it and returns it. */
  placeRaw(payload: Uint8Array): DecodedVertex {
    const vertex = this.#place(this.#group().topic, payload);
    this.#process(vertex);
    return vertex;
  }

  /** Signs and places a payload prepared on `parents` (any processed vertices, not necessarily the frontier), and processes it. */
  placeOn(parents: readonly DecodedVertex[], payload: Uint8Array): DecodedVertex {
    const lamport = 1 + Math.max(0, ...parents.map((p) => p.lamport));
    const vertex = createVertex({ topic: this.#group().topic, parents: parents.map((p) => p.id), lamport, payload }, this, this.provider);
    this.#add(vertex);
    this.#process(vertex);
    return vertex;
  }

  /** Receives vertices as sync would (parents first; waiting ones released); returns the outcomes of those processed. */
  receive(vertices: DecodedVertex | Iterable<DecodedVertex>): Map<string, ProcessOutcome> {
    const out = new Map<string, ProcessOutcome>();
    for (const vertex of Symbol.iterator in vertices ? vertices : [vertices]) {
      if (this.vertices.has(vertex.key)) continue;
      const added = this.dag.add(vertex);
      if (added.status !== 'added') continue;
      for (const v of added.added) {
        this.vertices.set(v.key, v);
        const outcome = this.#process(v);
        if (outcome !== undefined) out.set(v.key, outcome);
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
  deliverTo(other: GroupMember): Map<string, ProcessOutcome> {
    return other.receive(this.dag.topologicalOrder().map((meta) => this.vertices.get(meta.key) as DecodedVertex));
  }

  /** Texts this member could read (own messages included), in log order. */
  readable(): string[] {
    const out: string[] = [];
    for (const r of this.log) {
      if (r.outcome.status === 'message') out.push(new TextDecoder().decode(r.outcome.content));
      if (r.outcome.status === 'own') out.push(this.sent.get(r.outcome.nonce) as string);
    }
    return out;
  }

  outcomeOf(vertex: DecodedVertex): ProcessOutcome | undefined {
    return this.log.find((r) => r.vertex.key === vertex.key)?.outcome;
  }

  /** Current members (hex ids, ascending) as of this member's frontier. */
  members(): string[] {
    const g = this.#group();
    return g.members(this.dag.frontier(g.topic).map(toHex)).map((m) => m.id);
  }

  /** Signs and places `payload` on `next` (default: this member's frontier of the topic now). */
  #place(topic: Uint8Array, payload: Uint8Array, next = this.dag.nextParents(topic, this.author)): DecodedVertex {
    const { parents, lamport } = next;
    const vertex = createVertex({ topic, parents, lamport, payload }, this, this.provider);
    this.#add(vertex);
    return vertex;
  }

  #add(vertex: DecodedVertex): void {
    const added = this.dag.add(vertex);
    if (added.status !== 'added') throw new Error(`own vertex not placed: ${added.status}`);
    this.vertices.set(vertex.key, vertex);
  }

  #process(vertex: DecodedVertex): ProcessOutcome | undefined {
    if (this.group === undefined) return undefined;
    const outcome = this.group.process(vertex);
    this.log.push({ vertex, outcome });
    return outcome;
  }
}

/** Full mesh exchange until every member holds everything. */
export function syncAll(members: readonly GroupMember[]): void {
  for (let round = 0; round < 2; round++) for (const a of members) for (const b of members) if (a !== b) a.deliverTo(b);
}

/** An admin and `size - 1` other members added in as few control vertices as the payload limit allows; nobody else joins. */
export function buildGroup(options: GroupMemberOptions, size: number, name = 'bench'): { admin: GroupMember; others: GroupMember[] } {
  const seeded = (i: number): GroupMemberOptions => (options.seed === undefined ? options : { ...options, seed: options.seed + i });
  const admin = new GroupMember('admin', seeded(0));
  admin.create(name);
  const others = Array.from({ length: size - 1 }, (_, i) => new GroupMember(`member ${i + 1}`, seeded(i + 1)));
  // An add op is about 3.2 KB (ML-DSA and ML-KEM public keys): 16 fit a 64 KiB payload.
  for (let i = 0; i < others.length; i += 16) admin.write({ kind: 'ops', ops: others.slice(i, i + 16).map((m) => admin.addOp(m)) });
  return { admin, others };
}
