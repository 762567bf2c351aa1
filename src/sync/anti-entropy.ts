/**
 * Pull anti-entropy scheduling: when this node starts a reconciliation session, and with whom. It
 * repairs whatever push gossip missed (lost messages, a peer that was away, a healed partition).
 * A session starts
 *   - on every new connection, including a healed link or a peer coming back, after a random
 *     delay (so the many links of a healed cut do not all reconcile the same difference at once;
 *     gossip spreads what the first sessions bring, and later sessions find little left to do);
 *   - periodically, with the connected peer synced least recently, the period jittered;
 *   - again, after a delay, when a session failed; the delay doubles with each failure in a row
 *     (up to `maxRetryDelayMs`), and the periodic sessions leave such a peer alone meanwhile, so a
 *     session that cannot succeed (this node's disk is full, the peer keeps failing) does not pull
 *     the same data over the link every few seconds.
 * Sessions run at most `maxConcurrent` at a time and are abandoned after `idleTimeoutMs` without
 * progress (a peer that never answers). Sans-I/O: the clock and the random source are passed in;
 * the host starts sessions when `due` says so and calls `tick` times at `nextDeadline()`.
 */

export interface AntiEntropyConfig {
  /** Mean time between periodic sessions this node starts. Default 30,000 ms. */
  readonly intervalMs: number;
  /** Relative jitter of the period: uniform in interval × [1 − jitter, 1 + jitter]. Default 0.5. */
  readonly jitter: number;
  /** A new connection gets a session after a delay uniform in [0, connectDelayMs]. Default 2,000 ms. */
  readonly connectDelayMs: number;
  /**
   * Sessions (started by either side) run at once. Default 1: sessions that overlap on one node
   * reconcile the same difference twice (measured by the sim-partition benchmark).
   */
  readonly maxConcurrent: number;
  /** A session without progress for this long is abandoned. Default 15,000 ms. */
  readonly idleTimeoutMs: number;
  /**
   * After a failed session, the peer is retried after this delay (jittered like the period),
   * doubled for each further failure in a row. Default 5,000 ms.
   */
  readonly retryDelayMs: number;
  /** The longest delay before retrying a peer whose sessions keep failing. Default 300,000 ms. */
  readonly maxRetryDelayMs: number;
}

export const DEFAULT_ANTI_ENTROPY_CONFIG: AntiEntropyConfig = Object.freeze({
  intervalMs: 30_000,
  jitter: 0.5,
  connectDelayMs: 2_000,
  maxConcurrent: 1,
  idleTimeoutMs: 15_000,
  retryDelayMs: 5_000,
  maxRetryDelayMs: 300_000,
});

export type SessionRole = 'initiator' | 'responder';

export type SessionOutcome = 'completed' | 'failed' | 'refused';

interface PeerState {
  /** When a connect- or retry-triggered session with this peer is due (Infinity: none). */
  dueAt: number;
  /** When the last successful session with this peer ended (-Infinity: never). */
  lastSync: number;
  /** Sessions with this peer that failed since the last one that completed. */
  failures: number;
  /** No periodic session with this peer before this time (after failures; -Infinity: none). */
  backoffUntil: number;
  /** Running sessions with this peer: role and time of last progress. */
  readonly sessions: Map<number, { readonly role: SessionRole; lastProgress: number }>;
}

export interface AntiEntropyStats {
  readonly peers: number;
  readonly running: number;
  readonly started: number;
  readonly succeeded: number;
  readonly failed: number;
}

export class AntiEntropy {
  readonly config: AntiEntropyConfig;
  readonly #random: () => number;
  readonly #peers = new Map<string, PeerState>();
  #running = 0;
  #nextPeriodic: number;
  #started = 0;
  #succeeded = 0;
  #failed = 0;

  /** `random` returns uniform numbers in [0, 1) (the host's seeded or secure source). */
  constructor(random: () => number, now: number, config: Partial<AntiEntropyConfig> = {}) {
    this.config = { ...DEFAULT_ANTI_ENTROPY_CONFIG, ...config };
    for (const [name, value] of Object.entries(this.config)) {
      if (typeof value !== 'number' || !(value >= 0)) throw new RangeError(`anti-entropy ${name} must be a non-negative number, got ${String(value)}`);
    }
    if (this.config.jitter > 1) throw new RangeError('anti-entropy jitter must be at most 1');
    if (this.config.maxConcurrent < 1) throw new RangeError('anti-entropy maxConcurrent must be at least 1');
    this.#random = random;
    this.#nextPeriodic = now + this.#period(this.config.intervalMs);
  }

  get stats(): AntiEntropyStats {
    return { peers: this.#peers.size, running: this.#running, started: this.#started, succeeded: this.#succeeded, failed: this.#failed };
  }

  /**
   * Whether another session may start now. A host that is asked to respond while this is false
   * may refuse (an ERROR frame); the initiator then retries later, by which time this node has
   * finished its running sessions and the new one has less left to do.
   */
  hasCapacity(): boolean {
    return this.#running < this.config.maxConcurrent;
  }

  /**
   * A link to `peer` came up. `initiate` says whether this side reconciles on connection: both
   * sides may, but one is enough when sessions are two-way, so a host usually lets the dialer.
   */
  connect(peer: string, now: number, initiate = true): void {
    // A node that was alone has no periodic session owed from its lonely past.
    if (this.#peers.size === 0 && this.#nextPeriodic < now) this.#nextPeriodic = now + this.#period(this.config.intervalMs);
    const existing = this.#peers.get(peer);
    const dueAt = initiate ? now + this.#random() * this.config.connectDelayMs : Infinity;
    if (existing !== undefined) {
      existing.dueAt = Math.min(existing.dueAt, dueAt);
      return;
    }
    this.#peers.set(peer, { dueAt, lastSync: -Infinity, failures: 0, backoffUntil: -Infinity, sessions: new Map() });
  }

  /** The link to `peer` went down; the host closes its sessions with it (no `ended` needed). */
  disconnect(peer: string): void {
    const state = this.#peers.get(peer);
    if (state === undefined) return;
    this.#running -= state.sessions.size;
    this.#failed += state.sessions.size;
    this.#peers.delete(peer);
  }

  /**
   * Peers to start a session with now, within the concurrency limit; the host starts one with
   * each and reports it through `started`.
   */
  due(now: number): string[] {
    const out: string[] = [];
    if (this.#running >= this.config.maxConcurrent) return out;
    const ready = [...this.#peers].filter(([, s]) => s.dueAt <= now && s.sessions.size === 0).sort((a, b) => a[1].dueAt - b[1].dueAt);
    for (const [peer, state] of ready) {
      if (this.#running + out.length >= this.config.maxConcurrent) break;
      state.dueAt = Infinity;
      out.push(peer);
    }
    if (now >= this.#nextPeriodic) {
      this.#nextPeriodic = now + this.#period(this.config.intervalMs);
      if (this.#running + out.length < this.config.maxConcurrent) {
        const peer = this.#leastRecentlySynced(out, now);
        if (peer !== undefined) out.push(peer);
      }
    }
    return out;
  }

  /** A session with `peer` began (`id` is the host's session number, unique per node). */
  started(peer: string, id: number, role: SessionRole, now: number): void {
    const state = this.#peers.get(peer);
    if (state === undefined) return;
    state.sessions.set(id, { role, lastProgress: now });
    // The peer reconciling with us covers the session we had planned on connection.
    if (role === 'responder') state.dueAt = Infinity;
    this.#running++;
    this.#started++;
  }

  /** The session made progress (a message arrived); pushes its idle deadline back. */
  progress(peer: string, id: number, now: number): void {
    const session = this.#peers.get(peer)?.sessions.get(id);
    if (session !== undefined) session.lastProgress = now;
  }

  /**
   * The session ended. `completed`: the peer counts as synced. `failed` (bad input, timeout, the
   * peer refused): the peer is retried after `retryDelayMs`, doubled for each failure in a row
   * up to `maxRetryDelayMs`, and left out of periodic sessions until then. `refused`: this node turned the
   * peer's session away because it was busy; the peer retries, so nothing is planned here.
   */
  ended(peer: string, id: number, outcome: SessionOutcome, now: number): void {
    const state = this.#peers.get(peer);
    if (state === undefined || !state.sessions.delete(id)) return;
    this.#running--;
    if (outcome === 'completed') {
      this.#succeeded++;
      state.lastSync = now;
      state.failures = 0;
      state.backoffUntil = -Infinity;
    } else {
      this.#failed++;
      if (outcome === 'failed') {
        state.failures++;
        const delay = this.#period(Math.min(this.config.maxRetryDelayMs, this.config.retryDelayMs * 2 ** Math.min(state.failures - 1, 30)));
        state.dueAt = Math.min(state.dueAt, now + delay);
        state.backoffUntil = now + delay;
      }
    }
  }

  /** Sessions idle past their timeout, to be abandoned by the host (then reported as failed). */
  expired(now: number): { peer: string; id: number }[] {
    const out: { peer: string; id: number }[] = [];
    for (const [peer, state] of this.#peers) {
      for (const [id, s] of state.sessions) if (s.lastProgress + this.config.idleTimeoutMs <= now) out.push({ peer, id });
    }
    return out;
  }

  /** When `due` or `expired` next has something (Infinity: nothing scheduled). */
  nextDeadline(): number {
    let next = Infinity;
    const capacity = this.#running < this.config.maxConcurrent;
    if (capacity && this.#peers.size > 0) next = this.#nextPeriodic;
    for (const state of this.#peers.values()) {
      if (capacity && state.sessions.size === 0 && state.dueAt < next) next = state.dueAt;
      for (const s of state.sessions.values()) next = Math.min(next, s.lastProgress + this.config.idleTimeoutMs);
    }
    return next;
  }

  #period(base: number): number {
    return base * (1 - this.config.jitter + 2 * this.config.jitter * this.#random());
  }

  #leastRecentlySynced(exclude: readonly string[], now: number): string | undefined {
    let best: string | undefined;
    let bestSync = Infinity;
    let ties = 0;
    for (const [peer, state] of this.#peers) {
      if (state.sessions.size > 0 || exclude.includes(peer) || state.backoffUntil > now) continue;
      if (state.lastSync < bestSync) {
        best = peer;
        bestSync = state.lastSync;
        ties = 1;
      } else if (state.lastSync === bestSync && this.#random() * ++ties < 1) {
        best = peer; // reservoir choice among equally stale peers
      }
    }
    return best;
  }
}
