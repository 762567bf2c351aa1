import { toHex, type CryptoProvider } from '../crypto/index.ts';
import { VERTEX_KEY_ALGORITHM, type DecodedVertex } from '../dag/index.ts';
import { totalCounters, type NodeCounters } from './counters.ts';
import { EventQueue } from './event-queue.ts';
import { DEFAULT_LINK_PROFILE, Link, type LinkProfile } from './link.ts';
import { Prng } from './prng.ts';
import { envelopeBytes, type Outgoing, type SimMessage } from './sim-message.ts';
import type { SimNodeOptions } from './sim-node-options.ts';
import { SimNode } from './sim-node.ts';
import type { Edge } from './topology.ts';
import { KeyDirectory, VertexPool } from './vertex-pool.ts';

/** The network's own settings; the rest are given to every node alike (see `SimNodeOptions`). */
export interface SimulationOptions
  extends Pick<SimNodeOptions, 'keyDistribution' | 'syncTuning' | 'gossip' | 'antiEntropy' | 'forward' | 'refuseWhenBusy' | 'dag' | 'onPlaced'> {
  readonly seed: number;
  readonly nodes: number;
  /** Signs and verifies for every node: `insecureSimulationProvider(...)` for large runs, a real one for small. */
  readonly provider: CryptoProvider;
  /** The links; see `randomTopology`, `completeTopology`. */
  readonly edges: readonly Edge[];
  readonly link?: Partial<LinkProfile>;
  /**
   * The nodes whose keys are on the roster: the group members who write (default: every node).
   * The others relay and store but never need their keys known; each still holds its own.
   */
  readonly rosterNodes?: readonly number[];
}

type SimEvent =
  | { readonly kind: 'deliver'; readonly from: number; readonly to: number; readonly link: Link; readonly epoch: number; readonly wire: number; readonly message: SimMessage }
  | { readonly kind: 'tick'; readonly node: number }
  | { readonly kind: 'call'; readonly fn: () => void };

/**
 * A deterministic network of simulated nodes: one seeded PRNG, a virtual clock in milliseconds,
 * and a binary-heap agenda of message deliveries, node timers and scheduled calls. Links carry
 * messages according to their `LinkProfile`; a partition takes links down, churn takes nodes
 * away and brings them back with their state (DAG, vertex bytes) intact. Every run with the same
 * seed and the same calls gives the same events, counters and final state.
 */
export class Simulation {
  readonly nodes: SimNode[];
  readonly links: Link[] = [];
  readonly pool = new VertexPool();
  readonly directory = new KeyDirectory();
  readonly prng: Prng;
  readonly #linkPrng: Prng;
  readonly #linkIndex = new Map<number, Link>();
  readonly #neighbours: Link[][];
  readonly #online: boolean[];
  readonly #tickAt: number[];
  readonly #queue = new EventQueue<SimEvent>();
  #now = 0;
  #events = 0;

  constructor(options: SimulationOptions) {
    const { seed, nodes: n, provider, edges, link, rosterNodes, ...perNode } = options;
    this.prng = new Prng(seed);
    this.#linkPrng = this.prng.fork();
    const profile: LinkProfile = { ...DEFAULT_LINK_PROFILE, ...link };
    this.#neighbours = Array.from({ length: n }, () => []);
    this.#online = new Array<boolean>(n).fill(true);
    this.#tickAt = new Array<number>(n).fill(Infinity);
    this.nodes = [];
    const onRoster = new Set(rosterNodes ?? Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < n; i++) {
      const keySeed = this.prng.fill(new Uint8Array(32));
      const pair = provider.mlDsa65.keyPair(keySeed);
      const author = provider.sha3_256(pair.publicKey);
      if (onRoster.has(i)) this.directory.add(author, { algorithm: VERTEX_KEY_ALGORITHM, publicKey: pair.publicKey });
      this.nodes.push(
        new SimNode({
          ...perNode,
          index: i,
          provider,
          signer: { author, sign: (message, context) => pair.sign(message, context) },
          publicKey: pair.publicKey,
          roster: this.directory,
          pool: this.pool,
          prng: this.prng.fork(),
          now: 0,
        }),
      );
    }
    for (const [a, b] of edges) {
      if (a === b || a < 0 || b < 0 || a >= n || b >= n) throw new RangeError(`edge ${a}-${b} outside 0..${n - 1}`);
      if (this.link(a, b) !== undefined) continue;
      const link = new Link(a, b, profile);
      this.links.push(link);
      this.#linkIndex.set(this.#linkKey(a, b), link);
      this.#neighbours[a]?.push(link);
      this.#neighbours[b]?.push(link);
    }
    for (const link of this.links) this.#connect(link);
  }

  /** Virtual time in milliseconds. */
  get now(): number {
    return this.#now;
  }

  /** Events processed so far. */
  get events(): number {
    return this.#events;
  }

  link(a: number, b: number): Link | undefined {
    return this.#linkIndex.get(this.#linkKey(a, b));
  }

  isOnline(node: number): boolean {
    return this.#online[node] === true;
  }

  /** Node `index` writes a vertex on `topic` now. */
  write(index: number, topic: Uint8Array, payload: Uint8Array): DecodedVertex {
    if (!this.isOnline(index)) throw new RangeError(`node ${index} is offline`);
    const node = this.nodes[index] as SimNode;
    const { vertex, out } = node.write(topic, payload, this.#now);
    this.#send(index, out);
    this.#schedule(index);
    return vertex;
  }

  /** Runs `fn` at virtual time `time` (between events). */
  at(time: number, fn: () => void): void {
    this.#queue.push(Math.max(time, this.#now), { kind: 'call', fn });
  }

  /** Changes the profile of every link (e.g. to stop losses before a final sync). */
  setLinkProfile(profile: Partial<LinkProfile>): void {
    for (const link of this.links) link.profile = { ...link.profile, ...profile };
  }

  /** Takes one link down or brings it up; both ends see the connection break or form. */
  setLinkUp(a: number, b: number, up: boolean): void {
    const link = this.link(a, b);
    if (link === undefined) throw new RangeError(`no link ${a}-${b}`);
    if (link.up === up) return;
    const wasUp = this.#effective(link);
    link.up = up;
    if (wasUp && !up) this.#disconnect(link);
    else if (!wasUp && this.#effective(link)) this.#connect(link);
  }

  /** Takes down every link whose ends are in different groups (nodes in no group keep their links). */
  partition(groups: readonly (readonly number[])[]): void {
    const group = new Map<number, number>();
    groups.forEach((g, i) => g.forEach((node) => group.set(node, i)));
    for (const link of this.links) {
      const ga = group.get(link.a);
      const gb = group.get(link.b);
      if (ga !== undefined && gb !== undefined && ga !== gb) this.setLinkUp(link.a, link.b, false);
    }
  }

  /** Brings every link up. */
  heal(): void {
    for (const link of this.links) this.setLinkUp(link.a, link.b, true);
  }

  /** The node goes away (switched off, out of range); its state is kept. */
  leave(node: number): void {
    if (!this.isOnline(node)) return;
    const affected = (this.#neighbours[node] ?? []).filter((l) => this.#effective(l));
    this.#online[node] = false;
    this.#tickAt[node] = Infinity;
    for (const link of affected) this.#disconnect(link);
  }

  /** The node comes back with the state it left with and reconnects its links. */
  rejoin(node: number): void {
    if (this.isOnline(node)) return;
    this.#online[node] = true;
    for (const link of this.#neighbours[node] ?? []) if (this.#effective(link)) this.#connect(link, node);
    this.#schedule(node);
  }

  /** Processes events up to virtual time `until` (inclusive); returns the events processed. */
  run(until: number): number {
    const start = this.#events;
    for (;;) {
      const t = this.#queue.peekTime();
      if (t === undefined || t > until) break;
      this.#step();
    }
    this.#now = Math.max(this.#now, until);
    return this.#events - start;
  }

  /**
   * Runs until `done()` holds (checked every `checkEveryMs` of virtual time) or virtual time
   * `limit`; returns whether `done()` held.
   */
  runUntil(done: () => boolean, limit: number, checkEveryMs = 100): boolean {
    for (;;) {
      if (done()) return true;
      if (this.#now >= limit) return false;
      this.run(Math.min(limit, this.#now + checkEveryMs));
    }
  }

  /**
   * Every node holds every vertex written anywhere, and every node has the same frontier on
   * every topic. (Offline nodes count: a converged network has them caught up too.)
   */
  converged(): boolean {
    const total = this.pool.size;
    for (const node of this.nodes) if (node.dag.size !== total) return false;
    const first = this.nodes[0];
    if (first === undefined) return true;
    const topics = first.dag.topics();
    const frontiers = topics.map((t) => frontierKey(first, t));
    for (const node of this.nodes) {
      const own = node.dag.topics();
      if (own.length !== topics.length || own.some((t, i) => t !== topics[i])) return false;
      for (let i = 0; i < topics.length; i++) if (frontierKey(node, topics[i] as string) !== frontiers[i]) return false;
    }
    return true;
  }

  counters(): NodeCounters {
    return totalCounters(this.nodes.map((n) => n.counters));
  }

  #step(): void {
    const event = this.#queue.pop();
    if (event === undefined) return;
    this.#now = Math.max(this.#now, event.time);
    this.#events++;
    const e = event.item;
    switch (e.kind) {
      case 'deliver': {
        // A message of a connection that has since broken is lost with it.
        if (e.link.epoch !== e.epoch || !this.#effective(e.link)) return;
        const node = this.nodes[e.to] as SimNode;
        node.counters.bytesReceived += e.wire;
        node.counters.messagesReceived++;
        this.#send(e.to, node.deliver(e.from, e.message, this.#now));
        this.#schedule(e.to);
        return;
      }
      case 'tick': {
        if (this.#tickAt[e.node] !== event.time || !this.isOnline(e.node)) return;
        this.#tickAt[e.node] = Infinity;
        const node = this.nodes[e.node] as SimNode;
        this.#send(e.node, node.tick(this.#now));
        this.#schedule(e.node, this.#now + 1);
        return;
      }
      case 'call':
        e.fn();
        return;
    }
  }

  #send(from: number, out: readonly Outgoing[]): void {
    const sender = this.nodes[from] as SimNode;
    for (const o of out) {
      const link = this.link(from, o.to);
      if (link === undefined || !this.#effective(link)) continue;
      const t = link.transmit(from, o.message.bytes.length + envelopeBytes(o.message), this.#now, this.#linkPrng);
      sender.counters.bytesSent += t.wireBytes;
      sender.counters.messagesSent++;
      if (t.arrivals.length === 0) sender.counters.messagesLost++;
      for (const time of t.arrivals) {
        this.#queue.push(time, { kind: 'deliver', from, to: o.to, link, epoch: link.epoch, wire: t.wireBytes, message: o.message });
      }
    }
  }

  #schedule(index: number, notBefore = this.#now): void {
    if (!this.isOnline(index)) return;
    const due = Math.max((this.nodes[index] as SimNode).nextDeadline(), notBefore);
    if (due === Infinity || due >= (this.#tickAt[index] as number)) return;
    this.#tickAt[index] = due;
    this.#queue.push(due, { kind: 'tick', node: index });
  }

  #effective(link: Link): boolean {
    return link.up && this.#online[link.a] === true && this.#online[link.b] === true;
  }

  #connect(link: Link, dialer?: number): void {
    link.reset();
    const d = dialer ?? (this.#linkPrng.chance(0.5) ? link.a : link.b);
    for (const end of [link.a, link.b]) {
      (this.nodes[end] as SimNode).connect(link.other(end), this.#now, end === d);
      this.#schedule(end);
    }
  }

  #disconnect(link: Link): void {
    link.reset();
    for (const end of [link.a, link.b]) {
      (this.nodes[end] as SimNode).disconnect(link.other(end), this.#now);
      this.#schedule(end);
    }
  }

  #linkKey(a: number, b: number): number {
    return Math.min(a, b) * this.nodes.length + Math.max(a, b);
  }
}

function frontierKey(node: SimNode, topic: string): string {
  return node.dag.frontier(topic).map(toHex).join(';');
}
