import { deriveSessionId } from '../group/index.ts';
import { toHex, type CryptoProvider } from '../crypto/index.ts';
import { DHT_LIMITS, type NetHost, type SessionPeer } from '../net/index.ts';
import type { NodeGroups } from './groups.ts';

/** When a node announces its groups in the DHT and looks their members up. */
export interface PresenceSchedule {
  /** Every group is announced again this often (inside the records' lifetime). Default `DHT_LIMITS.refreshMs` (10 minutes). */
  readonly refreshMs: number;
  /** Every group's members are looked up this often, connected or not. Default 5 minutes. */
  readonly lookupMs: number;
  /**
   * Groups are checked this often: a group joined since the last announcement is announced, a
   * group with no member connected is looked up. Default 30 s.
   */
  readonly checkMs: number;
}

/** Peers whose node id (from their presence record) is remembered, the most recently seen kept. */
export const MAX_REMEMBERED_PEERS = 4_096;

export const DEFAULT_PRESENCE_SCHEDULE: PresenceSchedule = Object.freeze({
  refreshMs: DHT_LIMITS.refreshMs,
  lookupMs: 5 * 60_000,
  checkMs: 30_000,
});

export interface GroupPresenceOptions {
  readonly host: NetHost;
  readonly groups: NodeGroups;
  readonly provider: CryptoProvider;
  readonly schedule?: Partial<PresenceSchedule>;
  readonly warn: (message: string) => void;
}

interface Announced {
  readonly sessionId: Uint8Array;
  at: number;
}

/**
 * Finds a node's group members through the DHT: it announces every group the node is a member of
 * (at start, when joined, and every `refreshMs`), looks up the members of each group (at start,
 * every `lookupMs`, and at every check while no member of the group is connected) and dials the
 * members it finds. Given one bootstrap address, that is all a node needs to meet its groups.
 * Timers live here, in the node, never in the sans-I/O layers.
 */
export class GroupPresence {
  readonly #o: GroupPresenceOptions;
  readonly #schedule: PresenceSchedule;
  /** Announced groups by hex group id. */
  readonly #announced = new Map<string, Announced>();
  /** Last full lookup per group id (monotonic ms). */
  readonly #lookedUp = new Map<string, number>();
  /** Node id (hex) of each peer id seen in a verified presence record. */
  readonly #nodeOfPeer = new Map<string, string>();
  /** Aborted by `stop()`: a query under way must not hold the node's shutdown for its timeout. */
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<void> | undefined;
  #stopped = false;

  constructor(options: GroupPresenceOptions) {
    this.#o = options;
    this.#schedule = { ...DEFAULT_PRESENCE_SCHEDULE, ...options.schedule };
  }

  /** Runs the first round now and then every `checkMs`; also as soon as a first peer connects. */
  start(): void {
    this.#o.host.on('peer:connect', this.#onConnect);
    this.#tick();
  }

  /** Stops the schedule and waits for a round under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#o.host.off('peer:connect', this.#onConnect);
    this.#abort.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#busy;
  }

  /** Runs one round now (announce what is due, look up what is due) and resolves when it is done. */
  async runOnce(): Promise<void> {
    while (this.#busy !== undefined) await this.#busy;
    this.#busy = this.#round().finally(() => (this.#busy = undefined));
    await this.#busy;
  }

  /** A node that had nobody to ask announces and looks up as soon as somebody is there. */
  readonly #onConnect = (): void => {
    if (this.#stopped || this.#busy !== undefined || this.#announced.size > 0) return;
    void this.runOnce().catch((error: unknown) => this.#o.warn(`group presence: ${(error as Error).message}`));
  };

  #tick(): void {
    if (this.#stopped) return;
    void this.runOnce()
      .catch((error: unknown) => this.#o.warn(`group presence: ${(error as Error).message}`))
      .finally(() => {
        if (this.#stopped) return;
        this.#timer = setTimeout(() => this.#tick(), this.#schedule.checkMs);
        this.#timer.unref();
      });
  }

  async #round(): Promise<void> {
    const { host, groups, provider } = this.#o;
    // With no peer there is no DHT to ask: a round would only wait for its timeout and warn.
    if (host.peers().length === 0) return;
    const now = performance.now();
    const current = new Map(groups.bundleKeys().map((g) => [g.id, deriveSessionId(provider, g.bundleKey)]));
    for (const [id, a] of this.#announced) {
      if (current.has(id)) continue;
      this.#announced.delete(id);
      this.#lookedUp.delete(id);
      await host.presence.withdraw(a.sessionId).catch(() => undefined);
    }
    const connectedNodes = new Set(host.peers().flatMap((p) => this.#nodeOfPeer.get(p.peerId) ?? []));
    for (const [id, sessionId] of current) {
      if (this.#stopped) return;
      const announced = this.#announced.get(id);
      if (announced === undefined || now - announced.at >= this.#schedule.refreshMs) {
        try {
          await host.presence.announcePresence(sessionId, this.#abort.signal);
          this.#announced.set(id, { sessionId, at: now });
        } catch (error) {
          if (!this.#stopped) this.#o.warn(`could not announce group ${id} in the DHT: ${(error as Error).message}`);
        }
      }
      const members = new Set(groups.members(id).flatMap((m) => (m.you ? [] : [m.id])));
      if (members.size === 0) continue;
      const lonely = ![...members].some((m) => connectedNodes.has(m));
      const last = this.#lookedUp.get(id);
      if (!lonely && last !== undefined && now - last < this.#schedule.lookupMs) continue;
      this.#lookedUp.set(id, now);
      await this.#meet(sessionId, members);
    }
  }

  /** Looks up the members of one session and dials those not connected. */
  async #meet(sessionId: Uint8Array, members: ReadonlySet<string>): Promise<void> {
    const { host } = this.#o;
    let found: readonly SessionPeer[];
    try {
      found = (await host.presence.findSessionPeers(sessionId, { members, signal: this.#abort.signal })).peers;
    } catch (error) {
      if (!this.#stopped) this.#o.warn(`DHT lookup failed: ${(error as Error).message}`);
      return;
    }
    const connected = new Set(host.peers().map((p) => p.peerId));
    await Promise.all(
      found.map(async (peer) => {
        this.#remember(peer);
        if (connected.has(peer.peerId) || this.#stopped) return;
        await Promise.any(peer.addresses.map((a) => host.dial(a))).catch(() => undefined);
      }),
    );
  }

  #remember(peer: SessionPeer): void {
    this.#nodeOfPeer.delete(peer.peerId);
    this.#nodeOfPeer.set(peer.peerId, toHex(peer.nodeId));
    while (this.#nodeOfPeer.size > MAX_REMEMBERED_PEERS) this.#nodeOfPeer.delete(this.#nodeOfPeer.keys().next().value as string);
  }
}
