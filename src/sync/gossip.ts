import { fromHex } from '../crypto/index.ts';
import { idKey, type AuthorKey } from '../dag/index.ts';
import { SeenCache } from './gossip-seen.ts';
import { WantTable, type DueRequest } from './gossip-wants.ts';
import { decodeGossip, encodeGossip, GOSSIP_WIRE_LIMITS, type GossipWireRejection } from './gossip-wire.ts';

/**
 * Push gossip in the manner of Plumtree (Leitão, Pereira, Rodrigues 2007): every vertex goes in
 * full over "eager" links, which prune themselves into a spanning tree (a duplicate over an eager
 * link turns it lazy), and as a 32-byte id announcement (IHAVE) over the "lazy" links. An id
 * announced but not delivered within a timeout is requested (GRAFT, which also turns that link
 * eager again and so repairs the tree), then from the next announcer if the first does not answer.
 * A spanning tree delivers each vertex to each node once, whatever its origin, so the bytes cost
 * stays near one copy per node plus the announcements.
 *
 * Sans-I/O: peers are opaque strings, time is passed in, messages come back as values; the host
 * delivers them, validates received vertices, and calls `tick` at `nextDeadline()`.
 */

export interface GossipHost {
  /** Whether the node already has `key` (placed, waiting for parents, or refused for good). */
  has(key: string): boolean;
  /** The bytes of a vertex the node holds, to forward and to answer requests. */
  bytesOf(key: string): Uint8Array | undefined;
  /**
   * The author key to send along with vertex `key` to `peer`, when the peer may not hold it (a
   * vertex of an author the peer does not know is refused there until a session brings the key);
   * undefined when the peer holds it. Without this method vertices go without keys.
   */
  authorKeyFor?(key: string, peer: string): AuthorKey | undefined;
}

export interface GossipConfig {
  /** Most eager links made on connection (the push fanout); GRAFT may add more. Default 4. */
  readonly fanout: number;
  /** IHAVEs are batched per peer for this long. Default 40 ms. */
  readonly announceDelayMs: number;
  /** After the first IHAVE of an unknown id, wait this long for an eager copy before asking. Default 400 ms. */
  readonly wantTimeoutMs: number;
  /** Wait this long for an answer before asking the next announcer. Default 1,500 ms. */
  readonly retryTimeoutMs: number;
  /** Ids remembered as handled. Default 65,536. */
  readonly seenCapacity: number;
  /** Ids waited for at once. Default 8,192. */
  readonly maxWants: number;
  /** Announcers remembered per wanted id. Default 8. */
  readonly maxAnnouncers: number;
}

export const DEFAULT_GOSSIP_CONFIG: GossipConfig = Object.freeze({
  fanout: 4,
  announceDelayMs: 40,
  wantTimeoutMs: 400,
  retryTimeoutMs: 1_500,
  seenCapacity: 65_536,
  maxWants: 8_192,
  maxAnnouncers: 8,
});

export interface GossipSend {
  readonly peer: string;
  readonly bytes: Uint8Array;
}

/** A vertex this node did not have: validate it, then call `accept` or `refuse`. */
export interface GossipVertex {
  readonly id: Uint8Array;
  readonly key: string;
  /** A view into the received message; copy or intern it to keep it. */
  readonly bytes: Uint8Array;
  readonly from: string;
  /** Pushed down the tree, or the answer to this node's request. */
  readonly via: 'push' | 'reply';
  /**
   * The public key the sender sent along, unverified: keep it only if it is the key of this
   * vertex's author (it hashes to the author id).
   */
  readonly authorKey?: AuthorKey;
}

export interface GossipStep {
  readonly send: GossipSend[];
  readonly vertices: GossipVertex[];
  /** The message carried a vertex this node already had. */
  readonly duplicate: boolean;
  /** Set when the message was refused; nothing changed. */
  readonly rejected?: GossipWireRejection;
}

export interface GossipStats {
  readonly eager: number;
  readonly lazy: number;
  readonly wants: number;
  readonly seen: number;
}

/**
 * How a newly held vertex is passed on: pushed in full down the tree, only announced, or not at
 * all (the host already had it through another path and merely tells gossip).
 */
export type ForwardMode = 'push' | 'announce' | 'none';

/** How a host passes on a vertex, by how it arrived. */
export interface ForwardPolicy {
  /** Arrived by PUSH down the tree (and the node's own vertices). */
  readonly push: ForwardMode;
  /** Arrived as the REPLY to this node's IWANT or GRAFT. */
  readonly reply: ForwardMode;
  /** Arrived through a reconciliation session. */
  readonly sync: ForwardMode;
}

/**
 * A pushed vertex continues down the tree. One this node had to ask for, or reconcile, is likely
 * missing around it too; neighbours repairing the same gap would be pushed copies they already
 * fetched, so it is only announced (docs/PROTOCOL.md, "Push: eager tree, lazy announcements").
 */
export const DEFAULT_FORWARD_POLICY: ForwardPolicy = Object.freeze({ push: 'push', reply: 'announce', sync: 'announce' });

export class Gossip {
  readonly config: GossipConfig;
  readonly #host: GossipHost;
  readonly #eager = new Set<string>();
  readonly #lazy = new Set<string>();
  readonly #announce = new Map<string, Uint8Array[]>();
  #announceAt = Infinity;
  readonly #seen: SeenCache;
  /** Keys handed to the host and not yet accepted or refused. */
  readonly #validating = new Set<string>();
  readonly #wants: WantTable;

  constructor(host: GossipHost, config: Partial<GossipConfig> = {}) {
    this.config = { ...DEFAULT_GOSSIP_CONFIG, ...config };
    for (const [name, value] of Object.entries(this.config)) {
      if (typeof value !== 'number' || !(value >= 0)) throw new RangeError(`gossip ${name} must be a non-negative number, got ${String(value)}`);
    }
    this.#host = host;
    this.#seen = new SeenCache(this.config.seenCapacity);
    this.#wants = new WantTable({ maxWants: this.config.maxWants, maxAnnouncers: this.config.maxAnnouncers, retryTimeoutMs: this.config.retryTimeoutMs });
  }

  get stats(): GossipStats {
    return { eager: this.#eager.size, lazy: this.#lazy.size, wants: this.#wants.size, seen: this.#seen.size };
  }

  /** Whether `peer` is currently an eager (tree) link. */
  isEager(peer: string): boolean {
    return this.#eager.has(peer);
  }

  isConnected(peer: string): boolean {
    return this.#eager.has(peer) || this.#lazy.has(peer);
  }

  /** A link to `peer` came up; it starts eager while the fanout has room. */
  connect(peer: string): void {
    if (this.isConnected(peer)) return;
    if (this.#eager.size < this.config.fanout) this.#eager.add(peer);
    else this.#lazy.add(peer);
  }

  /** The link to `peer` went down: requests waiting on it move to the next announcer. */
  disconnect(peer: string, now: number): void {
    this.#eager.delete(peer);
    this.#lazy.delete(peer);
    this.#announce.delete(peer);
    this.#wants.peerGone(peer, now);
  }

  /** This node wrote `key`: push it to the eager links, announce it on the lazy ones. */
  publish(key: string, now: number): GossipSend[] {
    return this.#forward(key, undefined, now, 'push');
  }

  /**
   * The host validated a vertex and placed it in its DAG: remember it and pass it on. (A vertex
   * still waiting for its parents stays pending, and counts as known, until it is placed and
   * accepted, or refused.) `from` is who delivered it (never sent back to); `mode` follows the
   * host's `ForwardPolicy` (see `DEFAULT_FORWARD_POLICY`).
   */
  accept(key: string, from: string | undefined, now: number, mode: ForwardMode = 'push'): GossipSend[] {
    return this.#forward(key, from, now, mode);
  }

  /**
   * The bytes `from` sent for `key` did not check out, or the host could not keep the vertex: ask
   * another announcer. Without `from` (a vertex refused because an ancestor was), only forget it.
   */
  refuse(key: string, from: string | undefined, now: number): void {
    this.#validating.delete(key);
    if (from !== undefined) this.#wants.failed(key, from, now);
  }

  /** Ask `peer` for ids the host lacks (e.g. missing parents of a vertex it just sent). */
  want(ids: readonly Uint8Array[], peer: string, now: number): GossipSend[] {
    const ask: Uint8Array[] = [];
    for (const id of ids) {
      const key = idKey(id);
      if (this.#known(key)) continue;
      if (this.#wants.request(key, id, peer, now)) ask.push(id);
    }
    return this.#requests(ask.map((id) => ({ peer, id, mode: 'iwant' })));
  }

  receive(peer: string, bytes: Uint8Array, now: number): GossipStep {
    const decoded = decodeGossip(bytes);
    if (!decoded.ok) return { send: [], vertices: [], duplicate: false, rejected: decoded };
    const m = decoded.message;
    const connected = this.isConnected(peer);
    switch (m.type) {
      case 'push':
      case 'reply': {
        const key = idKey(m.id);
        if (this.#known(key)) {
          // Plumtree: a second copy over an eager link means the link closes a cycle; prune it.
          if (m.type === 'push' && this.#eager.has(peer)) {
            this.#makeLazy(peer);
            return { send: [{ peer, bytes: encodeGossip({ type: 'prune' }) }], vertices: [], duplicate: true };
          }
          return { send: [], vertices: [], duplicate: true };
        }
        if (m.type === 'push' && connected) this.#makeEager(peer);
        this.#validating.add(key);
        const received: GossipVertex = { id: m.id, key, bytes: m.vertex, from: peer, via: m.type, ...(m.authorKey === undefined ? {} : { authorKey: m.authorKey }) };
        return { send: [], vertices: [received], duplicate: false };
      }
      case 'ihave': {
        for (const id of m.ids) {
          const key = idKey(id);
          if (!this.#known(key)) this.#wants.announce(key, id, peer, now, this.config.wantTimeoutMs);
        }
        return { send: [], vertices: [], duplicate: false };
      }
      case 'iwant':
      case 'graft': {
        if (m.type === 'graft' && connected) this.#makeEager(peer);
        const send: GossipSend[] = [];
        for (const id of m.ids) {
          const key = idKey(id);
          const held = this.#host.bytesOf(key);
          if (held !== undefined) send.push({ peer, bytes: this.#vertexMessage('reply', key, id, held, peer) });
        }
        return { send, vertices: [], duplicate: false };
      }
      case 'prune':
        if (connected) this.#makeLazy(peer);
        return { send: [], vertices: [], duplicate: false };
    }
  }

  /** Sends that are due at `now`: batched announcements and requests whose wait is over. */
  tick(now: number): GossipSend[] {
    const send: GossipSend[] = [];
    if (now >= this.#announceAt) {
      for (const [peer, ids] of this.#announce) this.#flushAnnouncements(peer, ids, send);
      this.#announce.clear();
      this.#announceAt = Infinity;
    }
    send.push(...this.#requests(this.#wants.due(now)));
    return send;
  }

  /** When `tick` next has something to do (Infinity: nothing pending). */
  nextDeadline(): number {
    return Math.min(this.#announceAt, this.#wants.nextDeadline());
  }

  #known(key: string): boolean {
    return this.#seen.has(key) || this.#validating.has(key) || this.#host.has(key);
  }

  #forward(key: string, from: string | undefined, now: number, mode: ForwardMode): GossipSend[] {
    this.#validating.delete(key);
    if (this.#seen.has(key)) return [];
    this.#seen.add(key);
    const holders = new Set(this.#wants.holders(key));
    this.#wants.resolve(key);
    const send: GossipSend[] = [];
    if (mode === 'none') return send;
    const id = fromHex(key);
    const bytes = mode === 'push' ? this.#host.bytesOf(key) : undefined;
    let pushed = false;
    let plain: Uint8Array | undefined;
    if (bytes !== undefined) {
      for (const peer of this.#eager) {
        if (peer === from || holders.has(peer)) continue;
        pushed = true;
        // Peers that hold the author's key share one encoding; the others get it keyed.
        const authorKey = this.#host.authorKeyFor?.(key, peer);
        if (authorKey !== undefined) send.push({ peer, bytes: encodeGossip({ type: 'push', id, vertex: bytes, authorKey }) });
        else send.push({ peer, bytes: (plain ??= encodeGossip({ type: 'push', id, vertex: bytes })) });
      }
    }
    for (const peer of pushed ? this.#lazy : [...this.#eager, ...this.#lazy]) {
      if (peer === from || holders.has(peer)) continue;
      let queue = this.#announce.get(peer);
      if (queue === undefined) this.#announce.set(peer, (queue = []));
      queue.push(id);
      if (queue.length >= GOSSIP_WIRE_LIMITS.maxAnnounceIds) {
        this.#flushAnnouncements(peer, queue, send);
        this.#announce.delete(peer);
      }
    }
    if (this.#announce.size > 0 && this.#announceAt === Infinity) this.#announceAt = now + this.config.announceDelayMs;
    return send;
  }

  /** A PUSH or REPLY of a held vertex to `peer`, keyed if the peer may lack the author's key. */
  #vertexMessage(type: 'push' | 'reply', key: string, id: Uint8Array, vertex: Uint8Array, peer: string): Uint8Array {
    const authorKey = this.#host.authorKeyFor?.(key, peer);
    return encodeGossip(authorKey === undefined ? { type, id, vertex } : { type, id, vertex, authorKey });
  }

  #flushAnnouncements(peer: string, ids: Uint8Array[], send: GossipSend[]): void {
    for (let i = 0; i < ids.length; i += GOSSIP_WIRE_LIMITS.maxAnnounceIds) {
      send.push({ peer, bytes: encodeGossip({ type: 'ihave', ids: ids.slice(i, i + GOSSIP_WIRE_LIMITS.maxAnnounceIds) }) });
    }
  }

  #requests(due: readonly DueRequest[]): GossipSend[] {
    const byPeer = new Map<string, { graft: Uint8Array[]; iwant: Uint8Array[] }>();
    for (const r of due) {
      let entry = byPeer.get(r.peer);
      if (entry === undefined) byPeer.set(r.peer, (entry = { graft: [], iwant: [] }));
      entry[r.mode].push(r.id);
    }
    const send: GossipSend[] = [];
    for (const [peer, { graft, iwant }] of byPeer) {
      // Asking for a missed vertex with GRAFT also re-links the tree through this peer.
      if (graft.length > 0 && this.isConnected(peer)) this.#makeEager(peer);
      for (const [type, ids] of [['graft', graft], ['iwant', iwant]] as const) {
        for (let i = 0; i < ids.length; i += GOSSIP_WIRE_LIMITS.maxRequestIds) {
          send.push({ peer, bytes: encodeGossip({ type, ids: ids.slice(i, i + GOSSIP_WIRE_LIMITS.maxRequestIds) }) });
        }
      }
    }
    return send;
  }

  #makeEager(peer: string): void {
    this.#lazy.delete(peer);
    this.#eager.add(peer);
  }

  #makeLazy(peer: string): void {
    this.#eager.delete(peer);
    this.#lazy.add(peer);
  }
}
