import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { isDialable, peerIdOf, withoutPeerId } from './addresses.ts';
import { AntiEntropyDriver } from './anti-entropy-driver.ts';
import { dhtLimitsOf, type DhtLimits } from './dht/dht-limits.ts';
import { PresenceVerifier } from './dht/presence-verifier.ts';
import { SessionPresence } from './dht/session-presence.ts';
import { connectionEncrypters } from './encryption.ts';
import { PQ_PROTOCOL, PqHandshakeError } from './pq/index.ts';
import { HostStoppedError, NetOptionsError, PeerBannedError } from './errors.ts';
import { listenAddresses, type NetHostOptions } from './host-options.ts';
import { createLibp2pNode, type Libp2pNode } from './libp2p-node.ts';
import { NET_SYNC_TUNING, netLimitsOf, type NetLimits } from './limits.ts';
import { libp2pLinkCheck } from './link-check.ts';
import { NetCounters, type NetStats } from './net-stats.ts';
import { nodeReplica } from './node-replica.ts';
import { PeerBook, type KnownPeer, type PeerSummary } from './peer-book.ts';
import { PeerGuard, type Misbehaviour } from './peer-guard.ts';
import { PeerIntake } from './peer-intake.ts';
import { MemoryPeerStates } from './peer-states.ts';
import { GOSSIP_PROTOCOL, PushProtocol } from './push-protocol.ts';
import { ReadyWaiters } from './ready-waiters.ts';
import { Redialer } from './redialer.ts';
import type { SessionReport, SessionTicket } from './session-ticket.ts';
import { SYNC_PROTOCOL, SyncProtocol } from './sync-protocol.ts';

/**
 * `online`: at least one peer is connected. `reconnecting`: none is, and known peers are being
 * redialled. `offline`: none is and none is being dialled (the node keeps working locally).
 */
export type ConnectivityState = 'online' | 'offline' | 'reconnecting';

export interface NetHostEvents {
  /** A peer is connected and speaks our protocols (its gossip link is up). */
  'peer:connect': [PeerSummary];
  'peer:disconnect': [{ readonly peerId: string }];
  /** A sync session ended (either role, any outcome). */
  session: [SessionReport];
  state: [ConnectivityState];
  /** A peer was dropped for misbehaviour and is refused for `banMs`. */
  'peer:banned': [{ readonly peerId: string; readonly reason: Misbehaviour; readonly detail: string }];
}

/**
 * A running network node: libp2p with TCP and WebSocket listeners, mDNS discovery, yamux,
 * identify and ping, and the Pars protocols on top — reconciliation (`/pars/sync/1.0.0`), push
 * gossip (`/pars/gossip/1.0.0`) and the anti-entropy schedule that runs sessions at every new
 * connection and periodically. Peers it met are remembered and redialled with backoff when they
 * go, so a node that lost every peer catches up by itself when one is back. Create it with
 * `createNetHost`; `stop()` shuts it down cleanly.
 */
export class NetHost extends EventEmitter<NetHostEvents> {
  /** This node's libp2p peer id string. */
  readonly peerId: string;
  readonly limits: NetLimits;
  readonly #libp2p: Libp2pNode;
  readonly #book: PeerBook;
  readonly #guard: PeerGuard;
  readonly #push: PushProtocol;
  readonly #sync: SyncProtocol;
  readonly #driver: AntiEntropyDriver;
  readonly #redialer: Redialer;
  readonly #intake: PeerIntake;
  readonly #presence: SessionPresence | undefined;
  readonly #counters = new NetCounters();
  readonly #ready = new ReadyWaiters();
  /** Unhooks the sync replica from the Ingester, which outlives the host. */
  readonly #detachReplica: () => void;
  /** Peers connected at the libp2p level whose gossip link is being opened. */
  readonly #linking = new Set<string>();
  /** The peer of the sync session whose code runs now (for a per-peer `carries`). */
  readonly #sessionPeer = new AsyncLocalStorage<string>();
  #state: ConnectivityState = 'offline';
  #stopping = false;

  private constructor(options: NetHostOptions, limits: NetLimits, libp2p: Libp2pNode, book: PeerBook, guard: PeerGuard, dht: HostDht | undefined) {
    super();
    this.limits = limits;
    this.#libp2p = libp2p;
    this.#book = book;
    this.#guard = guard;
    this.peerId = libp2p.peerId.toString();
    // The intake tells push gossip what it stored; push gossip ingests through the intake. Nothing
    // is ingested before the host has started, so `#push` is set by the time this runs.
    this.#intake = new PeerIntake({
      ingester: options.ingester,
      guard,
      maxPendingIngestBytes: limits.maxPendingIngestBytes,
      onIngested: (stored, peer, via) => this.#push.claim(stored, peer, via),
    });
    const links = libp2pLinkCheck(libp2p, limits.linkCheckTimeoutMs);
    this.#push = new PushProtocol({
      ingester: options.ingester,
      intake: this.#intake,
      guard,
      links,
      limits,
      traffic: book,
      counters: this.#counters,
      ...(options.gossip === undefined ? {} : { gossip: options.gossip }),
      ...(options.forward === undefined ? {} : { forward: options.forward }),
      onLinkLost: (peer) => void this.#hangUp(peerIdFromString(peer)),
    });
    const { replica, detach } = nodeReplica(options.ingester, {
      ...(options.carries === undefined ? {} : { carries: options.carries }),
      ...(options.declinedTopics === undefined ? {} : { declinedTopics: options.declinedTopics }),
      sessionPeer: () => this.#sessionPeer.getStore(),
    });
    this.#detachReplica = detach;
    this.#sync = new SyncProtocol({
      links,
      replica,
      provider: options.ingester.provider,
      intake: this.#intake,
      guard,
      limits,
      peerStates: options.peerStates ?? new MemoryPeerStates(),
      traffic: book,
      counters: this.#counters,
      tuning: { ...NET_SYNC_TUNING, ...options.syncTuning },
    });
    this.#driver = new AntiEntropyDriver({
      config: { idleTimeoutMs: limits.idleTimeoutMs, ...options.antiEntropy },
      start: (ticket) => this.#initiate(ticket),
    });
    const service = libp2p.services.dht;
    this.#presence =
      service === undefined || dht === undefined
        ? undefined
        : new SessionPresence({
            dht: service,
            provider: options.ingester.provider,
            limits: dht.limits,
            verifier: dht.verifier,
            now: dht.now,
            peerId: this.peerId,
            addresses: () => libp2p.getMultiaddrs().filter(isDialable).map(withoutPeerId),
            ...(options.identity === undefined ? {} : { signer: options.identity }),
          });
    this.#redialer = new Redialer({
      ...(options.redial === undefined ? {} : { config: options.redial }),
      dial: (peer) => this.#redial(peer),
      onChange: () => this.#updateState(),
    });
  }

  /** Builds, wires and starts a host (see `NetHostOptions` for every option and its default). */
  static async create(options: NetHostOptions): Promise<NetHost> {
    if (options.ingester === undefined) throw new NetOptionsError('an ingester is required');
    const limits = netLimitsOf(options.limits);
    const late: { host?: NetHost } = {};
    const guard = new PeerGuard({
      misbehaviourBudget: limits.misbehaviourBudget,
      banMs: limits.banMs,
      now: () => performance.now(),
      onBan: (peer, kind, detail) => {
        if (late.host !== undefined) late.host.#onBan(peer, kind, detail);
      },
    });
    const book = new PeerBook({
      ...(options.knownPeers === undefined ? {} : { known: options.knownPeers }),
      ...(options.onKnownPeersChange === undefined ? {} : { onChange: options.onKnownPeersChange }),
    });
    const dhtOptions = options.dht === false ? undefined : (options.dht ?? {});
    const dhtLimits = dhtLimitsOf(dhtOptions?.limits);
    const now = dhtOptions?.now ?? Date.now;
    const dht: HostDht | undefined = dhtOptions === undefined ? undefined : { limits: dhtLimits, now, verifier: new PresenceVerifier(options.ingester.provider, dhtLimits, now) };
    const libp2p = await createLibp2pNode({
      ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
      listen: options.listen ?? listenAddresses(),
      limits,
      mdns: options.mdns ?? {},
      encrypters: connectionEncrypters(options.identity),
      refuses: (peer) => guard.isBanned(peer),
      dht: dht === undefined ? false : { verifier: dht.verifier },
      dhtLimits,
      onLanPeer: (peer) => {
        if (late.host !== undefined) void late.host.#onDiscovery(peer.id, peer.multiaddrs);
      },
    });
    const host = new NetHost(options, limits, libp2p, book, guard, dht);
    late.host = host;
    await host.#start();
    return host;
  }

  /**
   * Session discovery over the DHT: `announcePresence(sessionId)` and `findSessionPeers(sessionId)`.
   * Throws when the host runs without the DHT (`dht: false`).
   */
  get presence(): SessionPresence {
    if (this.#presence === undefined) throw new NetOptionsError('this host runs without the DHT (dht: false)');
    return this.#presence;
  }

  /** Connectivity now (see `ConnectivityState`). */
  get state(): ConnectivityState {
    return this.#state;
  }

  /** The addresses peers can dial, each ending in `/p2p/<peer id>`. */
  multiaddrs(): string[] {
    return this.#libp2p.getMultiaddrs().map((m) => m.toString());
  }

  /** Connected peers that speak our protocols. */
  peers(): PeerSummary[] {
    return this.#book.connectedPeers();
  }

  /** Every peer met (for persistence; see `onKnownPeersChange`). */
  knownPeers(): KnownPeer[] {
    return this.#book.known();
  }

  /** Peers refused now after misbehaving, with when the ban ends (monotonic ms). */
  banned(): { peer: string; until: number; remainingMs: number }[] {
    return this.#guard.banned();
  }

  stats(): NetStats {
    return this.#counters.snapshot();
  }

  /**
   * Connects to `address` (a multiaddr ending in `/p2p/<peer id>`) and resolves with the peer id
   * once the peer is ready (its gossip link is up); the address is remembered for redialling.
   */
  async dial(address: string): Promise<string> {
    if (this.#stopping) throw new HostStoppedError();
    const ma = multiaddr(address);
    const target = peerIdOf(ma);
    if (target !== undefined && this.#guard.isBanned(target)) throw new PeerBannedError(target);
    const connection = await this.#libp2p.dial(ma, { signal: AbortSignal.timeout(this.limits.dialTimeoutMs) });
    const peer = connection.remotePeer.toString();
    this.#book.learn(peer, [withoutPeerId(ma)]);
    await this.#whenReady(peer);
    return peer;
  }

  /**
   * Remembers `address` (a multiaddr ending in `/p2p/<peer id>`) and dials its peer until it
   * answers, as a peer known from before a restart: for a peer this node must reach but perhaps
   * cannot yet (an inviter whose welcome a join waits for). False for an address that is not a
   * peer's multiaddr, this node's own, or a banned peer's: nothing is remembered then.
   */
  remember(address: string): boolean {
    if (this.#stopping) return false;
    let ma: Multiaddr;
    let id: PeerId;
    try {
      ma = multiaddr(address);
      id = peerIdFromString(peerIdOf(ma) ?? '');
    } catch {
      return false; // not a multiaddr, or no valid /p2p/ part
    }
    const peer = id.toString();
    if (peer === this.peerId || this.#guard.isBanned(peer)) return false;
    this.#book.learn(peer, [withoutPeerId(ma)]);
    if (this.#libp2p.getConnections(id).length === 0) this.#redialer.schedule(peer, true);
    return true;
  }

  /** Runs a sync session now with `peer`, or with every connected peer in turn. */
  async syncNow(peer?: string): Promise<SessionReport[]> {
    if (this.#stopping) throw new HostStoppedError();
    const targets = peer === undefined ? this.#book.connectedPeers().map((p) => p.peerId) : [peer];
    const reports: SessionReport[] = [];
    for (const p of targets) reports.push(await this.#driver.syncNow(p));
    return reports;
  }

  /**
   * Stops cleanly: no new dials or sessions, running sessions get `stopDeadlineMs` to finish (then
   * they are aborted), gossip streams close, and libp2p stops. The Ingester and its store stay
   * open: they belong to the caller.
   */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#redialer.stop();
    await this.#driver.stop(this.limits.stopDeadlineMs);
    this.#push.stop();
    try {
      await this.#libp2p.stop();
    } finally {
      // Only now: sessions winding down until libp2p stopped must still see what was stored meanwhile.
      this.#detachReplica();
    }
    this.#ready.failAll(new HostStoppedError());
    this.#setState('offline');
  }

  async #start(): Promise<void> {
    const lp = this.#libp2p;
    const streamLimits = { maxInboundStreams: this.limits.maxStreamsPerProtocol, maxOutboundStreams: this.limits.maxStreamsPerProtocol };
    await lp.handle(SYNC_PROTOCOL, (stream, connection) => this.#onSyncStream(stream, connection), streamLimits);
    await lp.handle(GOSSIP_PROTOCOL, (stream, connection) => this.#onGossipStream(stream, connection), streamLimits);
    lp.addEventListener('connection:open', (evt) => {
      const connection = evt.detail;
      const encryption = connection.encryption ?? 'none';
      this.#counters.opened(encryption);
      // Unreachable while the PQ encrypter is the only one offered; kept so that no future
      // configuration can let a connection through that a quantum computer can decrypt later.
      if (encryption !== PQ_PROTOCOL) connection.abort(new PqHandshakeError('ERR_PQ_MALFORMED', `connection negotiated ${encryption}`));
    });
    lp.addEventListener('peer:connect', (evt) => void this.#onPeerConnect(evt.detail));
    lp.addEventListener('peer:disconnect', (evt) => this.#onPeerDisconnect(evt.detail));
    lp.addEventListener('peer:identify', (evt) => {
      const addrs = evt.detail.listenAddrs.filter(isDialable).map(withoutPeerId);
      this.#book.learn(evt.detail.peerId.toString(), addrs);
    });
    await lp.start();
    for (const known of this.#book.known()) {
      if (known.peerId !== this.peerId && known.addresses.length > 0) this.#redialer.schedule(known.peerId, true);
    }
    this.#updateState();
  }

  async #onPeerConnect(peerId: PeerId): Promise<void> {
    const peer = peerId.toString();
    if (this.#stopping) return;
    if (this.#guard.isBanned(peer)) {
      await this.#hangUp(peerId);
      return;
    }
    const connection = this.#libp2p.getConnections(peerId)[0];
    if (connection === undefined) return;
    if (connection.direction === 'outbound' && isDialable(connection.remoteAddr)) this.#book.learn(peer, [withoutPeerId(connection.remoteAddr)]);
    this.#linking.add(peer);
    let linked: boolean;
    try {
      linked = await this.#push.connect(peer, connection);
    } finally {
      this.#linking.delete(peer);
    }
    if (this.#stopping || this.#libp2p.getConnections(peerId).length === 0) {
      this.#updateState();
      return;
    }
    if (!linked) {
      // Not a Pars node (or it failed while we were linking): nothing to do with it.
      this.#updateState();
      await this.#hangUp(peerId);
      return;
    }
    // The first peer after none: the network may be back, so the peers given slow redials get quick ones again.
    const first = this.#book.connectedCount === 0;
    this.#book.connected(peer, connection.direction);
    this.#redialer.cancel(peer);
    if (first) this.#redialer.retrySlow();
    this.#driver.connect(peer, connection.direction === 'outbound');
    this.#updateState();
    this.#ready.ready(peer);
    this.emit('peer:connect', this.#book.summary(peer) as PeerSummary);
  }

  #onPeerDisconnect(peerId: PeerId): void {
    const peer = peerId.toString();
    const wasReady = this.#book.isConnected(peer);
    this.#push.disconnect(peer);
    this.#driver.disconnect(peer);
    this.#intake.release(peer);
    this.#book.disconnected(peer);
    if (!this.#stopping && !this.#guard.isBanned(peer) && this.#book.addressesOf(peer).length > 0) this.#redialer.schedule(peer);
    this.#updateState();
    if (wasReady) this.emit('peer:disconnect', { peerId: peer });
  }

  async #onDiscovery(peerId: PeerId, addresses: readonly Multiaddr[]): Promise<void> {
    const peer = peerId.toString();
    if (this.#stopping || peer === this.peerId || this.#guard.isBanned(peer)) return;
    const dialable = addresses.filter(isDialable);
    this.#book.learn(peer, dialable.map(withoutPeerId));
    if (this.#libp2p.getConnections(peerId).length > 0 || dialable.length === 0) return;
    try {
      await this.#libp2p.dial(
        dialable.map((a) => a.encapsulate(`/p2p/${peer}`)),
        { signal: AbortSignal.timeout(this.limits.dialTimeoutMs) },
      );
    } catch {
      // The peer may have gone again; discovery will report it when it is back.
    }
  }

  async #onSyncStream(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString();
    if (this.#stopping || this.#guard.isBanned(peer)) {
      stream.abort(new PeerBannedError(peer));
      return;
    }
    const ticket = this.#driver.admit(peer);
    if (ticket === undefined) {
      this.#counters.sessionsRefused++;
      await this.#sync.refuse(stream, peer);
      return;
    }
    let report: SessionReport | undefined;
    try {
      report = await this.#sessionPeer.run(peer, () => this.#sync.respond(stream, ticket));
    } finally {
      this.#driver.finished(ticket, report?.outcome ?? 'failed');
    }
    this.#afterSession(report);
  }

  async #onGossipStream(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString();
    if (this.#stopping || this.#guard.isBanned(peer)) {
      stream.abort(new PeerBannedError(peer));
      return;
    }
    await this.#push.handle(stream, peer);
  }

  async #initiate(ticket: SessionTicket): Promise<SessionReport> {
    const open = async (): Promise<Stream> => {
      if (this.#stopping) throw new HostStoppedError();
      const connection = this.#libp2p.getConnections(peerIdFromString(ticket.peer)).find((c) => c.status === 'open');
      if (connection === undefined) throw new NetOptionsError(`not connected to ${ticket.peer}`);
      return connection.newStream(SYNC_PROTOCOL, { signal: AbortSignal.any([ticket.signal, AbortSignal.timeout(this.limits.dialTimeoutMs)]) });
    };
    const report = await this.#sessionPeer.run(ticket.peer, () => this.#sync.initiate(open, ticket));
    this.#afterSession(report);
    return report;
  }

  #afterSession(report: SessionReport): void {
    if (report.outcome === 'completed') {
      this.#counters.sessionsCompleted++;
      this.#book.synced(report.peer);
    } else if (report.outcome === 'failed') {
      this.#counters.sessionsFailed++;
    }
    this.#counters.verticesStored += report.stored;
    this.emit('session', report);
  }

  #onBan(peer: string, reason: Misbehaviour, detail: string): void {
    this.#counters.peersBanned++;
    this.#redialer.cancel(peer);
    this.emit('peer:banned', { peerId: peer, reason, detail });
    void this.#hangUp(peerIdFromString(peer));
  }

  async #redial(peer: string): Promise<boolean> {
    if (this.#stopping || this.#guard.isBanned(peer)) return false;
    const addresses = this.#book.addressesOf(peer).map((a) => multiaddr(`${a}/p2p/${peer}`));
    if (addresses.length === 0) return false;
    try {
      await this.#libp2p.dial(addresses, { signal: AbortSignal.timeout(this.limits.dialTimeoutMs) });
      return true;
    } catch {
      return false;
    }
  }

  async #hangUp(peerId: PeerId): Promise<void> {
    try {
      await this.#libp2p.hangUp(peerId, { signal: AbortSignal.timeout(this.limits.stopDeadlineMs) });
    } catch {
      for (const c of this.#libp2p.getConnections(peerId)) c.abort(new PeerBannedError(peerId.toString()));
    }
  }

  #whenReady(peer: string): Promise<void> {
    if (this.#book.isConnected(peer)) return Promise.resolve();
    return this.#ready.wait(peer, this.limits.dialTimeoutMs, () => new NetOptionsError(`peer ${peer} did not become ready (does it speak ${GOSSIP_PROTOCOL}?)`));
  }

  #updateState(): void {
    if (this.#stopping) return;
    const trying = this.#redialer.pending > 0 || this.#linking.size > 0;
    this.#setState(this.#book.connectedCount > 0 ? 'online' : trying ? 'reconnecting' : 'offline');
  }

  #setState(state: ConnectivityState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
  }
}

/** The DHT side of a host, shared by the libp2p service (validator, selector) and the lookups. */
interface HostDht {
  readonly limits: DhtLimits;
  readonly now: () => number;
  readonly verifier: PresenceVerifier;
}

/** Builds, wires and starts a network host for a node (see `NetHostOptions`). */
export function createNetHost(options: NetHostOptions): Promise<NetHost> {
  return NetHost.create(options);
}
