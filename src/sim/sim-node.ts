import { toHex, type CryptoProvider } from '../crypto/index.ts';
import { createVertex, Dag, KeyRing, VERTEX_KEY_ALGORITHM, type DecodedVertex, type VertexSigner } from '../dag/index.ts';
import {
  AntiEntropy,
  DagReplica,
  DEFAULT_FORWARD_POLICY,
  Gossip,
  SyncSession,
  type ForwardPolicy,
  type GossipSend,
  type SessionOutcome,
  type SessionRole,
  type SyncPeerState,
  type SyncStep,
  type SyncTuning,
} from '../sync/index.ts';
import { emptyCounters, type NodeCounters } from './counters.ts';
import { SimulationError } from './errors.ts';
import type { Prng } from './prng.ts';
import { envelopeBytes, type Outgoing, type SimMessage } from './sim-message.ts';
import type { SimNodeOptions } from './sim-node-options.ts';
import { ingestVertex, type IngestResult } from './vertex-intake.ts';
import type { VertexPool } from './vertex-pool.ts';

interface SessionSlot {
  readonly peer: number;
  readonly initiator: number;
  readonly id: number;
  /** The number the anti-entropy scheduler knows this session by (unique on this node). */
  readonly local: number;
  readonly role: SessionRole;
  readonly session: SyncSession;
  sendSeq: number;
  recvSeq: number;
  readonly early: Map<number, Uint8Array>;
  /** This node turned the session away (busy). */
  refused: boolean;
}

/** Out-of-order session messages buffered per stream before it is given up. */
const MAX_EARLY_MESSAGES = 256;

/**
 * One simulated node: a DAG, the bytes of the vertices it holds, push gossip, the anti-entropy
 * scheduler and its reconciliation sessions (`SyncSession`, courier mode: every topic either side
 * carries). It validates every vertex it receives (decode, id, signature with its own key ring)
 * before placing it, as a real node does. It does no I/O and keeps no clock: the simulation calls
 * it with the virtual time.
 */
export class SimNode {
  readonly index: number;
  readonly name: string;
  readonly dag: Dag;
  readonly keys: KeyRing;
  readonly signer: VertexSigner;
  readonly replica: DagReplica;
  readonly gossip: Gossip;
  readonly antiEntropy: AntiEntropy;
  readonly counters: NodeCounters = emptyCounters();
  /** Keys of the vertices this node wrote. */
  readonly authored = new Set<string>();
  readonly #provider: CryptoProvider;
  readonly #pool: VertexPool;
  readonly #prng: Prng;
  readonly #held = new Map<string, Uint8Array>();
  /** Authors whose keys this node holds (with `keyDistribution: 'sync'`). */
  readonly #authors = new Map<string, Uint8Array>();
  readonly #sessions = new Map<string, SessionSlot>();
  /** What the last completed session with each peer left for the next one (kept across churn). */
  readonly #peerStates = new Map<number, SyncPeerState>();
  readonly #tuning: Partial<SyncTuning> | undefined;
  readonly #forward: ForwardPolicy;
  readonly #refuseWhenBusy: boolean;
  readonly #onPlaced: ((node: SimNode, vertex: DecodedVertex) => void) | undefined;
  #nextSession = 0;

  constructor(options: SimNodeOptions) {
    this.index = options.index;
    this.name = String(options.index);
    this.#provider = options.provider;
    this.#pool = options.pool;
    this.#prng = options.prng;
    this.#tuning = options.syncTuning;
    this.#forward = { ...DEFAULT_FORWARD_POLICY, ...options.forward };
    this.#onPlaced = options.onPlaced;
    this.#refuseWhenBusy = options.refuseWhenBusy ?? true;
    this.signer = options.signer;
    this.dag = new Dag(options.dag);
    const roster = (options.keyDistribution ?? 'roster') === 'roster';
    this.keys = new KeyRing(options.provider, roster ? options.roster : undefined);
    // With a roster every author on it is known (the shared list, not a copy per node), plus
    // the node's own key, which it always holds.
    const authors = roster ? (): Iterable<Uint8Array> => withOwn(options.roster.authors, this.signer.author) : (): Iterable<Uint8Array> => this.#authors.values();
    this.replica = new DagReplica({
      dag: this.dag,
      bytes: (key) => this.#held.get(key),
      keys: this.keys,
      authors,
      // Every simulated node carries every topic, including those it has not seen yet.
      carries: () => true,
    });
    this.#learnKey(options.publicKey);
    this.gossip = new Gossip(
      {
        has: (key) => this.dag.has(key) || this.dag.quarantine.has(key) || this.dag.rejectionOf(key) !== undefined,
        bytesOf: (key) => this.#held.get(key),
      },
      options.gossip,
    );
    this.antiEntropy = new AntiEntropy(() => this.#prng.next(), options.now, options.antiEntropy);
  }

  /** Bytes of a vertex this node holds (placed in its DAG). */
  bytesOf(key: string): Uint8Array | undefined {
    return this.#held.get(key);
  }

  /** Keys of every vertex this node holds. */
  heldKeys(): IterableIterator<string> {
    return this.#held.keys();
  }

  /** When this node next needs `tick` (Infinity: nothing scheduled). */
  nextDeadline(): number {
    return Math.min(this.gossip.nextDeadline(), this.antiEntropy.nextDeadline());
  }

  /**
   * Writes a vertex on `topic` with the node's frontier as parents (chosen as `Ingester.append`
   * chooses them, keeping the node's own chain), and gossips it.
   */
  write(topic: Uint8Array, payload: Uint8Array, now: number): { vertex: DecodedVertex; out: Outgoing[] } {
    const { parents, lamport } = this.dag.nextParents(topic, this.signer.author);
    const vertex = createVertex({ topic, parents, lamport, payload }, this.signer, this.#provider);
    const outcome = this.dag.add(vertex, 'local');
    if (outcome.status !== 'added') throw new SimulationError(`node ${this.index}: own vertex not placed (${outcome.status})`);
    this.authored.add(vertex.key);
    this.#placed(outcome.added);
    return { vertex, out: this.#gossipOut(this.gossip.publish(vertex.key, now)) };
  }

  /** A link to `peer` came up. The dialer reconciles on connection. */
  connect(peer: number, now: number, dialer: boolean): void {
    this.gossip.connect(String(peer));
    this.antiEntropy.connect(String(peer), now, dialer);
  }

  /** The link to `peer` went down: its sessions end, gossip moves on to other announcers. */
  disconnect(peer: number, now: number): void {
    for (const [key, slot] of this.#sessions) {
      if (slot.peer !== peer) continue;
      this.#sessions.delete(key);
      this.counters.sessionsFailed++;
    }
    this.antiEntropy.disconnect(String(peer));
    this.gossip.disconnect(String(peer), now);
  }

  /** Timers: gossip batches and retries, anti-entropy sessions due or idle too long. */
  tick(now: number): Outgoing[] {
    const out = this.#gossipOut(this.gossip.tick(now));
    for (const { peer, id } of this.antiEntropy.expired(now)) {
      for (const [key, slot] of this.#sessions) {
        if (slot.local !== id) continue;
        // Tell the peer (an ERROR frame), then forget the session.
        out.push(...this.#afterStep(key, slot, slot.session.abort('idle timeout'), now));
      }
      this.antiEntropy.ended(peer, id, 'failed', now);
    }
    for (const peer of this.antiEntropy.due(now)) out.push(...this.#open(Number(peer), now));
    return out;
  }

  deliver(from: number, message: SimMessage, now: number): Outgoing[] {
    const bytes = message.bytes.length + envelopeBytes(message);
    if (message.channel === 'gossip') {
      this.counters.gossipBytesReceived += bytes;
      return this.#onGossip(from, message.bytes, now);
    }
    this.counters.syncBytesReceived += bytes;
    return this.#onSync(from, message, now);
  }

  #onGossip(from: number, bytes: Uint8Array, now: number): Outgoing[] {
    const peer = String(from);
    const step = this.gossip.receive(peer, bytes, now);
    if (step.duplicate) this.counters.duplicateVertices++;
    const sends: GossipSend[] = [...step.send];
    for (const v of step.vertices) {
      const result = this.#ingest(v.bytes, v.id, peer);
      if (result.kind === 'refused') this.gossip.refuse(v.key, peer, now);
      else if (result.kind === 'waiting') sends.push(...this.gossip.want(result.missing, peer, now));
      else if (result.kind === 'duplicate') sends.push(...this.gossip.accept(v.key, peer, now, 'none'));
      for (const placed of result.placed) {
        sends.push(...this.gossip.accept(placed.key, placed.key === v.key ? peer : undefined, now, this.#forward[v.via]));
      }
      for (const key of result.refused) this.gossip.refuse(key, undefined, now);
    }
    return this.#gossipOut(sends);
  }

  #onSync(from: number, message: Extract<SimMessage, { channel: 'sync' }>, now: number): Outgoing[] {
    const key = `${message.initiator}:${message.session}`;
    let slot = this.#sessions.get(key);
    if (slot === undefined) {
      // Only the first message of a stream opens a session here; anything else belongs to a
      // session that has ended and is ignored.
      if (message.initiator !== from || message.seq !== 0 || !this.gossip.isConnected(String(from))) return [];
      const busy = !this.antiEntropy.hasCapacity();
      slot = this.#newSlot(from, from, message.session, 'responder', now);
      slot.session.start();
      // Busy: refuse rather than reconcile the same difference with two peers at once.
      if (busy && this.#refuseWhenBusy) {
        slot.refused = true;
        return this.#afterStep(key, slot, slot.session.abort('busy'), now);
      }
    }
    if (message.seq < slot.recvSeq) return [];
    if (message.seq > slot.recvSeq) {
      if (slot.early.size >= MAX_EARLY_MESSAGES) return this.#afterStep(key, slot, slot.session.abort('stream gap'), now);
      slot.early.set(message.seq, message.bytes);
      return [];
    }
    this.antiEntropy.progress(String(slot.peer), slot.local, now);
    const out: Outgoing[] = [];
    let bytes: Uint8Array | undefined = message.bytes;
    while (bytes !== undefined && this.#sessions.get(key) === slot) {
      slot.recvSeq++;
      out.push(...this.#afterStep(key, slot, slot.session.receive(bytes), now));
      bytes = slot.early.get(slot.recvSeq);
      slot.early.delete(slot.recvSeq);
    }
    return out;
  }

  #open(peer: number, now: number): Outgoing[] {
    const id = ++this.#nextSession;
    const slot = this.#newSlot(peer, this.index, id, 'initiator', now);
    this.counters.sessionsStarted++;
    const frames = slot.session.start();
    return this.#afterStep(`${this.index}:${id}`, slot, { send: frames, done: false, vertices: [], keys: [] }, now);
  }

  #newSlot(peer: number, initiator: number, id: number, role: SessionRole, now: number): SessionSlot {
    const peerState = this.#peerStates.get(peer);
    const common = {
      replica: this.replica,
      hash: (data: Uint8Array): Uint8Array => this.#provider.sha3_256(data),
      random: (length: number): Uint8Array => this.#prng.fill(new Uint8Array(length)),
      ...(peerState === undefined ? {} : { peerState }),
      ...(this.#tuning === undefined ? {} : { tuning: this.#tuning }),
    };
    const session = role === 'initiator' ? SyncSession.initiate({ ...common, mode: { kind: 'courier' } }) : SyncSession.respond(common);
    const local = ++this.#nextSession;
    const slot: SessionSlot = { peer, initiator, id, local, role, session, sendSeq: 0, recvSeq: 0, early: new Map(), refused: false };
    this.#sessions.set(`${initiator}:${id}`, slot);
    this.antiEntropy.started(String(peer), local, role, now);
    return slot;
  }

  #afterStep(key: string, slot: SessionSlot, step: SyncStep, now: number): Outgoing[] {
    const out: Outgoing[] = [];
    for (const bytes of step.send) {
      out.push({ to: slot.peer, message: { channel: 'sync', bytes, initiator: slot.initiator, session: slot.id, seq: slot.sendSeq++ } });
    }
    for (const k of step.keys) this.#learnKey(k.publicKey, k.algorithm);
    const sends: GossipSend[] = [];
    const peer = String(slot.peer);
    for (const bytes of step.vertices) {
      const result = this.#ingest(bytes, undefined, peer);
      if (result.kind === 'waiting') sends.push(...this.gossip.want(result.missing, peer, now));
      for (const placed of result.placed) sends.push(...this.gossip.accept(placed.key, peer, now, this.#forward.sync));
      for (const k of result.refused) this.gossip.refuse(k, undefined, now);
    }
    out.push(...this.#gossipOut(sends));
    if (step.done) this.#close(key, slot, step.error === undefined ? 'completed' : slot.refused ? 'refused' : 'failed', now);
    return out;
  }

  #close(key: string, slot: SessionSlot, outcome: SessionOutcome, now: number): void {
    if (this.#sessions.get(key) !== slot) return;
    this.#sessions.delete(key);
    if (outcome === 'completed') {
      this.counters.sessionsCompleted++;
      this.#peerStates.set(slot.peer, slot.session.peerState);
    } else if (outcome === 'refused') {
      this.counters.sessionsRefused++;
    } else {
      this.counters.sessionsFailed++;
    }
    this.antiEntropy.ended(String(slot.peer), slot.local, outcome, now);
  }

  /** Adds a key to the ring (which checks it) and, if it is good, announces its author as known. */
  #learnKey(publicKey: Uint8Array, algorithm = VERTEX_KEY_ALGORITHM): void {
    const added = this.keys.add({ algorithm, publicKey });
    if (added.ok) this.#authors.set(toHex(added.author), added.author);
  }

  /** Validates and places received bytes (see `ingestVertex`), keeping what was placed. */
  #ingest(bytes: Uint8Array, expectedId: Uint8Array | undefined, source: string): IngestResult {
    const result = ingestVertex(this.dag, this.keys, this.#provider, bytes, expectedId, source);
    if (result.kind === 'refused') this.counters.verticesRejected++;
    this.#placed(result.placed);
    return result;
  }

  #placed(vertices: readonly DecodedVertex[]): void {
    if (vertices.length === 0) return;
    this.replica.noteAdded(vertices);
    for (const v of vertices) {
      this.#held.set(v.key, this.#pool.intern(v.key, v.bytes));
      this.#onPlaced?.(this, v);
    }
  }

  #gossipOut(sends: readonly GossipSend[]): Outgoing[] {
    return sends.map((s) => ({ to: Number(s.peer), message: { channel: 'gossip', bytes: s.bytes } }));
  }
}

function* withOwn(roster: ReadonlyMap<string, Uint8Array>, own: Uint8Array): Iterable<Uint8Array> {
  yield* roster.values();
  if (!roster.has(toHex(own))) yield own;
}
