import { defaultProvider, toHex, type CryptoProvider } from '../../src/crypto/index.ts';
import { createVertex, Dag, type DecodedVertex, type VertexSigner } from '../../src/dag/index.ts';
import { Group, MemberSecrets, ownKemKey, type ControlOp, type ProcessOutcome, type WriteIntent } from '../../src/group/index.ts';

/*
 * Group members for engine tests: each has its own in-memory DAG, and vertices move between
 * members only when a test delivers them (partitions are members that are not delivered to).
 * Signatures are the DAG layer's business and are tested there; here vertices are placed directly
 * and carry a dummy signature, so tests spend their time on the group protocol.
 */

export const provider: CryptoProvider = defaultProvider();

/** Deterministic randomness for reproducible runs (not for keys outside tests). */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  let state = seed >>> 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = (t ^ (t >>> 14)) & 0xff;
    }
    return out;
  };
}

export interface Received {
  readonly vertex: DecodedVertex;
  readonly outcome: ProcessOutcome;
}

export class Member implements VertexSigner {
  readonly name: string;
  readonly signingKey: Uint8Array;
  readonly author: Uint8Array;
  readonly hex: string;
  readonly dag = new Dag();
  readonly vertices = new Map<string, DecodedVertex>();
  readonly log: Received[] = [];
  /** Plaintext of this member's own messages, by payload nonce. */
  readonly sent = new Map<string, string>();
  group: Group | undefined;
  /** Seed of the published key this member hands an admin who adds it. */
  joinSeed: Uint8Array;
  readonly random: (n: number) => Uint8Array;
  readonly seed: number;

  constructor(name: string, seed: number) {
    this.name = name;
    this.seed = seed;
    this.random = seededRandom(seed);
    this.signingKey = provider.mlDsa65.keyPair(this.random(32)).publicKey;
    this.author = provider.sha3_256(this.signingKey);
    this.hex = toHex(this.author);
    this.joinSeed = this.random(64);
  }

  sign(): Uint8Array {
    return new Uint8Array(3309);
  }

  get joinKem(): Uint8Array {
    return ownKemKey(provider, this.joinSeed).publicKey;
  }

  /** Creates a new group with this member as its admin. */
  create(name: string): Group {
    const g = Group.genesis({ provider, self: this.author, random: this.random }, name);
    const vertex = this.#place(g.keys.topic, g.payload);
    this.group = new Group({ provider, self: this.author, random: this.random }, { secret: g.secret, genesis: vertex.id }, g.secrets);
    this.#process(vertex);
    return this.group;
  }

  /** Takes the group descriptor (what a welcome carries) and its join key; then receives the DAG. */
  joinFrom(admin: Member): void {
    const secrets = new MemberSecrets();
    secrets.rotate(ownKemKey(provider, this.joinSeed));
    this.group = new Group({ provider, self: this.author, random: this.random }, (admin.group as Group).descriptor, secrets);
    admin.deliverTo(this);
  }

  addOp(member: Member, role: 'admin' | 'member' = 'member'): ControlOp {
    return { o: 'add', member: member.author, signingKey: member.signingKey, kemKey: member.joinKem, role };
  }

  /** Writes an intent, with whatever prerequisite vertices (rotation, epoch slots) it needs. */
  write(intent: WriteIntent): DecodedVertex[] {
    const g = this.group as Group;
    const out: DecodedVertex[] = [];
    for (let guard = 0; guard < 100; guard++) {
      const { parents } = this.dag.nextParents(g.topic, this.author);
      const prepared = g.prepare(parents.map(toHex), intent);
      if (prepared.kind === 'message' && intent.kind === 'message') this.sent.set(prepared.nonce, new TextDecoder().decode(intent.content));
      const vertex = this.#place(g.topic, prepared.payload);
      this.#process(vertex);
      out.push(vertex);
      if (prepared.done) return out;
    }
    throw new Error('write did not finish');
  }

  say(text: string): DecodedVertex {
    return this.write({ kind: 'message', content: new TextEncoder().encode(text) }).at(-1) as DecodedVertex;
  }

  /** Writes a vertex with any payload (what a malicious member can do), processes it and returns it. */
  placeRaw(payload: Uint8Array): DecodedVertex {
    const vertex = this.#place((this.group as Group).topic, payload);
    this.#process(vertex);
    return vertex;
  }

  #place(topic: Uint8Array, payload: Uint8Array): DecodedVertex {
    const { parents, lamport } = this.dag.nextParents(topic, this.author);
    const vertex = createVertex({ topic, parents, lamport, payload }, this, provider);
    const added = this.dag.add(vertex);
    if (added.status !== 'added') throw new Error(`own vertex not placed: ${added.status}`);
    this.vertices.set(vertex.key, vertex);
    return vertex;
  }

  #process(vertex: DecodedVertex): void {
    if (this.group === undefined) return;
    this.log.push({ vertex, outcome: this.group.process(vertex) });
  }

  /** Receives a vertex (and whatever it releases) as sync would. */
  receive(vertex: DecodedVertex): void {
    if (this.vertices.has(vertex.key)) return;
    const added = this.dag.add(vertex);
    if (added.status !== 'added') return;
    for (const v of added.added) {
      this.vertices.set(v.key, v);
      this.#process(v);
    }
  }

  /** Delivers everything this member holds to `other`, parents first. */
  deliverTo(other: Member): void {
    for (const meta of this.dag.topologicalOrder()) other.receive(this.vertices.get(meta.key) as DecodedVertex);
  }

  /** Texts this member could read, with their authors, in log order (own messages included). */
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

  members(): string[] {
    const g = this.group as Group;
    return g.members(this.dag.frontier(g.topic).map(toHex)).map((m) => m.id);
  }
}

/** Full mesh exchange until every member holds everything. */
export function syncAll(members: readonly Member[]): void {
  for (let round = 0; round < 2; round++) for (const a of members) for (const b of members) if (a !== b) a.deliverTo(b);
}
