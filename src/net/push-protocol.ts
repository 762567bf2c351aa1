import type { Connection, Stream } from '@libp2p/interface';
import { equalBytes, fromHex, toHex } from '../crypto/index.ts';
import { decodeVertex, type AuthorKey, type DecodedVertex } from '../dag/index.ts';
import type { NetIngester } from './ingest-port.ts';
import { DEFAULT_FORWARD_POLICY, Gossip, type ForwardPolicy, type GossipConfig, type GossipSend, type GossipVertex } from '../sync/index.ts';
import { StreamClosedError } from './errors.ts';
import { FrameReader } from './frame-reader.ts';
import { offerFrame } from './frames.ts';
import type { NetLimits } from './limits.ts';
import type { NetCounters } from './net-stats.ts';
import { streamBlame, type PeerGuard } from './peer-guard.ts';
import { PeerAuthorKeys } from './peer-author-keys.ts';
import type { Arrival, PeerIntake } from './peer-intake.ts';
import type { TrafficCounter } from './traffic.ts';
import type { LinkCheck } from './link-check.ts';

/** Push gossip (docs/PROTOCOL.md, "Push gossip and anti-entropy"): one gossip message per frame. */
export const GOSSIP_PROTOCOL = '/pars/gossip/1.0.0';

export interface PushProtocolOptions {
  readonly ingester: NetIngester;
  readonly intake: PeerIntake;
  readonly guard: PeerGuard;
  readonly limits: NetLimits;
  readonly traffic: TrafficCounter;
  readonly counters: NetCounters;
  readonly gossip?: Partial<GossipConfig>;
  /** How a received vertex is passed on, by how it arrived; default `DEFAULT_FORWARD_POLICY`. */
  readonly forward?: Partial<ForwardPolicy>;
  /** Monotonic milliseconds; default `performance.now`. */
  readonly now?: () => number;
  /**
   * Our gossip stream to a still connected peer closed under us (the peer reset it): the link is
   * half broken, and the host drops the connection so that redialling builds it again.
   */
  readonly onLinkLost?: (peer: string) => void;
  /** Decides whether a stall or a cut frame was the link's loss (then the peer is not charged). */
  readonly links: LinkCheck;
}

/**
 * Push of new vertices to connected peers with the sync layer's Plumtree engine (`Gossip`).
 * Each side opens one outbound `/pars/gossip/1.0.0` stream per peer and only writes to it; what a
 * peer sends arrives on the stream it opened to us. Every vertex the Ingester stores is handed to
 * the engine: local writes are published (pushed down the tree), received vertices are passed on
 * by how they came (`ForwardPolicy`: pushed ones are pushed on, reconciled or requested ones are
 * announced). Pushed vertices are ingested with full validation, their id checked against the
 * bytes first. A vertex goes with its author's key to a peer not known to hold it
 * (`PeerAuthorKeys`); a key received so is kept only if it is the vertex author's. Sends are
 * never awaited: a peer whose stream holds `maxSendBufferBytes` unsent bytes misses messages,
 * which anti-entropy repairs.
 */
export class PushProtocol {
  readonly gossip: Gossip;
  readonly #o: PushProtocolOptions;
  readonly #now: () => number;
  readonly #forward: ForwardPolicy;
  readonly #out = new Map<string, Stream>();
  readonly #readers = new Set<FrameReader>();
  readonly #held = new PeerAuthorKeys();
  readonly #unsubscribe: () => void;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: PushProtocolOptions) {
    this.#o = options;
    this.#now = options.now ?? ((): number => performance.now());
    this.#forward = { ...DEFAULT_FORWARD_POLICY, ...options.forward };
    const dag = options.ingester.dag;
    const store = options.ingester.store;
    this.gossip = new Gossip(
      {
        has: (key) => dag.has(key) || dag.quarantine.has(key) || dag.rejectionOf(key) !== undefined,
        bytesOf: (key) => (dag.has(key) ? store.getVertexBytes(fromHex(key)) : undefined),
        authorKeyFor: (key, peer) => this.#authorKeyFor(key, peer),
      },
      options.gossip,
    );
    this.#unsubscribe = options.ingester.onStored((vertices, source) => this.#stored(vertices, source));
  }

  /**
   * Opens our gossip stream to a newly connected peer and links it into the engine. Returns false
   * if the peer does not speak the protocol (or the connection failed meanwhile).
   */
  async connect(peer: string, connection: Connection): Promise<boolean> {
    if (this.#stopped) return false;
    let stream: Stream;
    try {
      stream = await connection.newStream(GOSSIP_PROTOCOL, { signal: AbortSignal.timeout(this.#o.limits.dialTimeoutMs) });
    } catch {
      return false;
    }
    if (this.#stopped || connection.status !== 'open') {
      stream.abort(new StreamClosedError('connection closed while the gossip stream opened'));
      return false;
    }
    const old = this.#out.get(peer);
    this.#out.set(peer, stream);
    old?.abort(new StreamClosedError('replaced by a new gossip stream'));
    stream.addEventListener('close', () => {
      if (this.#out.get(peer) !== stream) return; // replaced, or removed by disconnect/stop
      this.#out.delete(peer);
      this.gossip.disconnect(peer, this.#now());
      if (!this.#stopped) this.#o.onLinkLost?.(peer);
    });
    this.gossip.connect(peer);
    return true;
  }

  /** The peer is gone: requests waiting on it move to other announcers. */
  disconnect(peer: string): void {
    const stream = this.#out.get(peer);
    this.#out.delete(peer);
    this.#held.forget(peer);
    stream?.abort(new StreamClosedError(`peer ${peer} disconnected`));
    this.gossip.disconnect(peer, this.#now());
    this.#arm();
  }

  /** Reads the gossip messages a peer sends on the stream it opened to us, until it ends. */
  async handle(stream: Stream, peer: string): Promise<void> {
    const reader = new FrameReader(stream, {
      maxFrameBytes: this.#o.limits.maxGossipFrameBytes,
      frameTimeoutMs: this.#o.limits.frameTimeoutMs,
      onBytes: (n) => this.#o.traffic.received(peer, n),
    });
    this.#readers.add(reader);
    try {
      for (;;) {
        const frame = await reader.next();
        if (frame === undefined || this.#stopped || this.#o.guard.isBanned(peer)) break;
        this.#receive(peer, frame);
        await this.#o.intake.room(peer);
      }
    } catch (error) {
      const blame = streamBlame(error);
      if (blame !== undefined && !(await this.#o.links.lostLink(peer, error))) this.#o.guard.penalise(peer, blame, (error as Error).message);
    } finally {
      this.#o.counters.buffered(reader.highWater);
      reader.detach();
      this.#readers.delete(reader);
    }
  }

  /**
   * Ingested vertices from `peer`, with how they came: they are passed on as the forward policy
   * says. Called by PeerIntake right after the commit (see `#stored`).
   */
  claim(stored: readonly DecodedVertex[], peer: string, via: Arrival): void {
    if (this.#stopped) return;
    const now = this.#now();
    const sends: GossipSend[] = [];
    const dag = this.#o.ingester.dag;
    for (const v of stored) {
      const author = dag.get(v.key)?.author;
      if (author !== undefined) this.#held.learn(peer, author); // it could not have sent it otherwise
      sends.push(...this.gossip.accept(v.key, peer, now, this.#forward[via]));
    }
    this.#send(sends);
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const reader of this.#readers) reader.detach();
    this.#readers.clear();
    for (const stream of this.#out.values()) stream.abort(new StreamClosedError('host stopping'));
    this.#out.clear();
  }

  #receive(peer: string, frame: Uint8Array): void {
    const now = this.#now();
    const step = this.gossip.receive(peer, frame, now);
    if (step.rejected !== undefined) {
      this.#o.guard.penalise(peer, 'gossip-message', `${step.rejected.reason}: ${step.rejected.detail}`);
      return;
    }
    this.#send(step.send);
    for (const v of step.vertices) this.#ingest(peer, v);
    this.#arm();
  }

  #ingest(peer: string, v: GossipVertex): void {
    // A view into the frame, not a copy: the FrameReader hands over each frame as a buffer of its
    // own, and a push frame holds this one vertex, so keeping the view pins nothing else.
    const bytes = v.bytes;
    // The claimed id is not trusted: bytes that hash to another id are refused without marking it.
    if (!equalBytes(this.#o.ingester.provider.sha3_256(bytes), v.id)) {
      this.gossip.refuse(v.key, peer, this.#now());
      this.#o.guard.penalise(peer, 'invalid-vertex', 'id-mismatch: pushed bytes do not hash to their id');
      return;
    }
    if (v.authorKey !== undefined && !this.#takeAuthorKey(peer, v, v.authorKey)) return;
    this.#o.intake.ingest(peer, [bytes], v.via).then(
      (report) => {
        if (this.#stopped) return;
        const now = this.#now();
        if (report.stored.some((s) => s.key === v.key)) return; // claimed and passed on already
        if (report.rejected.length > 0) this.gossip.refuse(v.key, peer, now);
        else if (report.quarantined > 0) this.#send(this.gossip.want(report.missing, peer, now));
        else this.#send(this.gossip.accept(v.key, peer, now, 'none'));
        this.#arm();
      },
      () => this.gossip.refuse(v.key, peer, this.#now()),
    );
  }

  /**
   * The key a peer sent along with a vertex: kept if it is the key of the vertex's author (so a
   * peer cannot slip in keys of its choosing), else the peer is charged for it and the vertex
   * dropped. Returns whether the vertex goes on to ingest.
   */
  #takeAuthorKey(peer: string, v: GossipVertex, key: AuthorKey): boolean {
    const decoded = decodeVertex(v.bytes);
    if (!decoded.ok) return true; // ingest refuses the bytes with their own reason
    const ingester = this.#o.ingester;
    const author = decoded.vertex.author;
    if (!equalBytes(ingester.provider.sha3_256(key.publicKey), author)) {
      this.gossip.refuse(v.key, peer, this.#now());
      this.#o.guard.penalise(peer, 'bad-key', `the key sent with vertex of author ${toHex(author)} is another author's`);
      return false;
    }
    this.#held.learn(peer, toHex(author));
    if (!ingester.keys.has(author)) this.#o.intake.addKeys(peer, [key]);
    return true;
  }

  /** The author key to send with vertex `key` to `peer`, unless the peer is known to hold it. */
  #authorKeyFor(key: string, peer: string): AuthorKey | undefined {
    const author = this.#o.ingester.dag.get(key)?.author;
    if (author === undefined || this.#held.holds(peer, author)) return undefined;
    const authorKey = this.#o.ingester.keys.getKey(fromHex(author));
    if (authorKey !== undefined) this.#held.learn(peer, author);
    return authorKey;
  }

  /**
   * The Ingester's commit listener. A commit of an ingest from a peer is reported by PeerIntake
   * with the peer and the way it came (`claim`); any other commit — an append here, a bundle
   * import — is published as this node's own.
   */
  #stored(vertices: readonly DecodedVertex[], source: string): void {
    if (this.#stopped || this.#o.intake.ingesting(source)) return;
    const now = this.#now();
    const sends: GossipSend[] = [];
    for (const v of vertices) sends.push(...this.gossip.publish(v.key, now));
    this.#send(sends);
    this.#arm();
  }

  #send(sends: readonly GossipSend[]): void {
    for (const s of sends) {
      const stream = this.#out.get(s.peer);
      if (stream === undefined) continue;
      const n = offerFrame(stream, s.bytes, this.#o.limits.maxSendBufferBytes);
      if (n > 0) this.#o.traffic.sent(s.peer, n);
    }
  }

  #arm(): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.gossip.nextDeadline();
    if (!Number.isFinite(next)) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#stopped) return;
        this.#send(this.gossip.tick(this.#now()));
        this.#arm();
      },
      Math.max(0, next - this.#now()),
    );
    this.#timer.unref();
  }
}
