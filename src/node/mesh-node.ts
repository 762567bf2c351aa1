import { toHex } from '../crypto/index.ts';
import { decodeInvite } from '../group/index.ts';
import type { Identity } from '../identity/index.ts';
import { createNetHost, derivePeerKey, NetCounters, resolveDnsBootstrap, type ConnectivityState, type NetHost, type SessionReport } from '../net/index.ts';
import { SqliteStore } from '../store/index.ts';
import { CourierPolicy, courierStoreView } from './courier-policy.ts';
import { courierQuotasOf } from './courier-quotas.ts';
import { NodeError } from './errors.ts';
import { NodeGroups } from './groups.ts';
import { GroupPresence } from './group-presence.ts';
import { Ingester } from './ingest.ts';
import { inviteAddresses } from './invite-addresses.ts';
import { saveKnownPeers, storedKnownPeers, withConfigured } from './known-peers.ts';
import type { MeshNetOptions, MeshNodeOptions } from './mesh-node-options.ts';
import { peersReport, type GroupLag, type MeshJoinResult, type NodeStatus, type PeersReport } from './mesh-status.ts';
import { StoredPeerStates } from './stored-peer-states.ts';
import { SyncLag } from './sync-lag.ts';

type Phase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * A whole Pars Mesh node: the identity, the SQLite store, the Ingester (every core verifying),
 * the node's groups, and a libp2p `NetHost` whose peer id is derived from the identity.
 *
 * The constructor opens the store and replays the groups; `start()` brings the network up and
 * dials every peer the store remembers (and the configured ones), so a restarted node finds its
 * peers again by itself; `stop()` takes everything down cleanly and durably. Known peers and each
 * peer's sync state are kept in the store (schema v5) as the host learns them.
 */
export class MeshNode {
  readonly identity: Identity;
  readonly store: SqliteStore;
  readonly ingester: Ingester;
  readonly groups: NodeGroups;
  /** What this node keeps of topics it is not a member of (courier quotas). */
  readonly courier: CourierPolicy;
  readonly #options: MeshNodeOptions;
  readonly #now: () => number;
  readonly #warn: (message: string) => void;
  readonly #lag: SyncLag;
  readonly #unsubscribe: (() => void)[] = [];
  #host: NetHost | undefined;
  #presence: GroupPresence | undefined;
  #phase: Phase = 'created';
  #stopped: Promise<void> | undefined;
  #startedAt = 0;

  constructor(options: MeshNodeOptions) {
    this.#options = options;
    this.identity = options.identity;
    this.#now = options.now ?? Date.now;
    this.#warn = options.warn ?? ((): void => undefined);
    // Checked before anything is opened: a bad quota is a configuration error, not a half-built node.
    const quotas = courierQuotasOf(options.net?.courier);
    this.store = SqliteStore.open(options.storePath);
    let ingester: Ingester | undefined;
    try {
      // Nothing is received before the policy exists (the network starts later); until then all is kept.
      const late: { courier?: CourierPolicy } = {};
      const admission = { batch: () => late.courier?.batch() ?? ((): boolean => true) };
      ingester = new Ingester({ provider: options.provider, store: this.store, workers: options.workers, admission });
      this.ingester = ingester;
      this.#lag = new SyncLag(this.store.net, this.store.topics(), this.#now);
      this.#unsubscribe.push(ingester.onStored((vertices, source) => this.#lag.noteStored(vertices, source)));
      this.groups = new NodeGroups(ingester, options.identity, { now: this.#now, warn: this.#warn });
      const groups = this.groups;
      this.courier = new CourierPolicy({
        quotas,
        own: { groups: () => groups.topics(), rendezvous: () => groups.rendezvousTopics() },
        store: courierStoreView(this.store, ingester.dag, options.identity.nodeId),
        now: this.#now,
      });
      late.courier = this.courier;
      // After the groups' listener: a welcome is adopted before the policy re-reads the groups.
      const courier = this.courier;
      this.#unsubscribe.push(ingester.onStored((vertices, source) => courier.noteStored(vertices, source)));
    } catch (error) {
      // A half-built node must not keep worker threads or the database open.
      void ingester?.close();
      this.store.close();
      throw error;
    }
  }

  /** Starts the network: listens, dials remembered and configured peers, and serves until `stop()`. */
  async start(): Promise<void> {
    if (this.#phase !== 'created') throw new NodeError('ERR_NODE_LIFECYCLE', `a node can be started once (it is ${this.#phase})`);
    this.#phase = 'starting';
    try {
      await this.groups.idle();
      const net: MeshNetOptions = this.#options.net ?? {};
      // `courier` rides along unread: the host gets the policy's decisions (`carries`) instead;
      // so do `bootstrapDns` and `presence`, which the node itself acts on once the host runs.
      const { peers: configured, bootstrap, ...hostOptions } = net;
      this.#host = await createNetHost({
        ...hostOptions,
        ingester: this.ingester,
        privateKey: await derivePeerKey(this.identity),
        identity: this.identity,
        knownPeers: withConfigured(storedKnownPeers(this.store.net), [...(bootstrap ?? []), ...(configured ?? [])]),
        onKnownPeersChange: (peers) => saveKnownPeers(this.store.net, peers, this.#warn),
        peerStates: new StoredPeerStates(this.store.net, this.#now, this.#warn),
        carries: (topic, peer) => this.courier.carries(topic, peer),
        declinedTopics: () => this.courier.declined(),
      });
    } catch (error) {
      this.#phase = 'running'; // so that stop() closes what was opened
      await this.stop();
      throw error;
    }
    this.#host.on('session', (report) => this.#onSession(report));
    // A join written while no node ran here (or whose inviter did not answer) still waits for its
    // welcome: the inviter is dialled like a peer known from before, until it answers.
    for (const address of this.groups.joinAddresses()) this.#host.remember(address);
    const { dht, presence, bootstrapDns } = this.#options.net ?? {};
    if (dht !== false) {
      this.#presence = new GroupPresence({ host: this.#host, groups: this.groups, provider: this.ingester.provider, warn: this.#warn, ...(presence === undefined ? {} : { schedule: presence }) });
      this.#presence.start();
    }
    if (bootstrapDns !== undefined) void this.#dnsBootstrap(this.#host, bootstrapDns);
    this.#startedAt = this.#now();
    this.#phase = 'running';
  }

  /**
   * Announces this node's groups in the DHT and looks their members up now (as the schedule does
   * by itself), dialling the members found; resolves when the round is done.
   */
  async discover(): Promise<void> {
    if (this.#presence === undefined) throw new NodeError('ERR_NODE_LIFECYCLE', 'the node is not started, or runs without the DHT');
    await this.#presence.runOnce();
  }

  /** The network host (for events and statistics); throws before `start()`. */
  get net(): NetHost {
    if (this.#host === undefined) throw new NodeError('ERR_NODE_LIFECYCLE', 'the node is not started');
    return this.#host;
  }

  get state(): ConnectivityState {
    return this.#host?.state ?? 'offline';
  }

  /** Addresses peers can dial, each ending in `/p2p/<peer id>`; empty before `start()`. */
  multiaddrs(): string[] {
    return this.#host?.multiaddrs() ?? [];
  }

  /** Connects to a peer (a multiaddr ending in `/p2p/<peer id>`); resolves with its peer id once it is ready. */
  dial(address: string): Promise<string> {
    return this.net.dial(address);
  }

  /**
   * Issues an invite (see `NodeGroups.invite`) that carries this node's current addresses, so
   * the joiner's node can connect directly.
   */
  async invite(group: string, ttlSeconds?: number): Promise<string> {
    const code = await this.groups.invite(group, ttlSeconds, inviteAddresses(this.multiaddrs()));
    // Join requests on the invite's topic are the node's own from now on, whatever the quotas.
    this.courier.refreshMembership();
    return code;
  }

  /**
   * Writes the join request for `code` (see `NodeGroups.join`) and then dials the inviter at the
   * addresses the invite carries; the request and the welcome travel by sync once connected. An
   * unreachable inviter is not an error: it is dialled again, as a known peer, until it answers,
   * and the request also travels with any peer that can carry it.
   */
  async join(code: string): Promise<MeshJoinResult> {
    const result = await this.groups.join(code);
    this.courier.refreshMembership();
    const decoded = decodeInvite(this.ingester.provider, code, 0);
    const own = this.#host?.peerId;
    const addresses = decoded.ok ? decoded.value.addresses.filter((a) => a.includes('/p2p/') && !a.endsWith(`/p2p/${own}`)) : [];
    if (addresses.length === 0 || this.#host === undefined) return { ...result, reached: null, dialProblem: null };
    try {
      const reached = await Promise.any(addresses.map((a) => this.net.dial(a)));
      return { ...result, reached, dialProblem: null };
    } catch (error) {
      for (const a of addresses) this.net.remember(a);
      const reasons = error instanceof AggregateError ? error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))) : [String(error)];
      return { ...result, reached: null, dialProblem: [...new Set(reasons)].join('; ') };
    }
  }

  /** State, addresses, peers, store figures and per-group sync lag (see `NodeStatus`). */
  status(): NodeStatus {
    const now = this.#now();
    const host = this.#host;
    // Counted per id here: resolving each group by name or id would trip on a group named like another's id.
    const memberCounts = new Map(this.groups.groups().map((g) => [g.id, g.members]));
    const groups: GroupLag[] = this.groups.bundleKeys().map((g) => {
      const topic = toHex(g.topic);
      const at = this.#lag.reconciledAt(topic);
      return {
        id: g.id,
        name: g.name,
        members: memberCounts.get(g.id) ?? 0,
        lastReconciledAt: at ?? null,
        lagMs: at === undefined ? null : Math.max(0, now - at),
        waitingForParents: this.ingester.dag.quarantine.countByTopic(topic),
      };
    });
    return {
      nodeId: this.identity.nodeIdHex,
      peerId: host?.peerId ?? '',
      state: this.state,
      startedAt: this.#startedAt,
      multiaddrs: this.multiaddrs(),
      peers: { connected: host?.peers().length ?? 0, known: host?.knownPeers().length ?? 0 },
      vertices: this.store.vertexCount,
      waitingForParents: this.ingester.dag.quarantine.size,
      groups,
      net: host?.stats() ?? new NetCounters().snapshot(),
    };
  }

  /** Connected peers with their traffic, and every remembered one. */
  peers(): PeersReport {
    return peersReport(this.#host);
  }

  /**
   * Stops cleanly: the network first (sessions get the host's stop deadline), then the remembered
   * peers are saved, background group work finishes, and the ingester and store close. Everything
   * acknowledged is durable. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#phase = 'stopping';
    try {
      await this.#presence?.stop();
      if (this.#host !== undefined) {
        await this.#host.stop();
        saveKnownPeers(this.store.net, this.#host.knownPeers(), this.#warn);
      }
      await this.groups.close();
    } finally {
      for (const off of this.#unsubscribe) off();
      await this.ingester.close();
      this.store.close();
      this.#phase = 'stopped';
    }
  }

  /** PIP-4 level 2: dials the bootstrap nodes the DNS name lists; a failure leaves the other levels to work. */
  async #dnsBootstrap(host: NetHost, options: NonNullable<MeshNetOptions['bootstrapDns']>): Promise<void> {
    let addresses: string[];
    try {
      addresses = await resolveDnsBootstrap(options);
    } catch (error) {
      this.#warn(`DNS bootstrap: ${(error as Error).message}`);
      return;
    }
    await Promise.all(addresses.map((a) => host.dial(a).catch((error: unknown) => this.#warn(`DNS bootstrap node ${a}: ${(error as Error).message}`))));
  }

  #onSession(report: SessionReport): void {
    try {
      this.#lag.noteSession(report, this.groups.topics());
    } catch (error) {
      this.#warn(`could not record a sync session: ${(error as Error).message}`);
    }
  }
}
