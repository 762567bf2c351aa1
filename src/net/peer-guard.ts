import { FrameError, FrameTimeoutError, SessionTimeoutError, StreamIdleError } from './errors.ts';

/**
 * What a peer did wrong. An honest peer never breaks the framing or the wire formats, never
 * stalls a stream past its timeouts, and validates every vertex before passing it on, so each of
 * these is evidence against it; the small allowance for invalid vertices and keys covers a peer
 * that carries a few bad vertices it could not check itself (an author key it lacks).
 */
export type Misbehaviour =
  /** Broken framing: oversized or malformed prefix, truncated frame. */
  | 'framing'
  /** A stall: a frame not complete in time (slowloris), a sync stream idle past its timeout, or past the whole-session timeout. */
  | 'timeout'
  /** A sync frame refused by the session (malformed, limits, unexpected, bad vertex bytes...). */
  | 'sync-protocol'
  /** A gossip message refused by the gossip decoder. */
  | 'gossip-message'
  /** A received vertex refused for a permanent reason (bad signature, wrong id...). */
  | 'invalid-vertex'
  /** A received author key that is not a well-formed key. */
  | 'bad-key'
  /** A received vertex refused because this peer's quarantine share was full. */
  | 'quarantine-full';

/**
 * What a peer is charged for a stream that failed under it, when the fault is one the stream
 * layer sees (a stall, or broken framing); undefined for anything else. Whether the link went away
 * instead is for LinkCheck to tell.
 */
export function streamBlame(failure: unknown): 'timeout' | 'framing' | undefined {
  if (failure instanceof FrameTimeoutError || failure instanceof StreamIdleError || failure instanceof SessionTimeoutError) return 'timeout';
  if (failure instanceof FrameError) return 'framing';
  return undefined;
}

/** Points per kind; the whole budget means the first offence drops the peer. */
function pointsOf(kind: Misbehaviour, budget: number): number {
  return kind === 'invalid-vertex' || kind === 'bad-key' || kind === 'quarantine-full' ? 1 : budget;
}

export interface PeerGuardOptions {
  /** Points a peer may collect; reaching it drops the peer. */
  readonly misbehaviourBudget: number;
  /** How long a dropped peer is refused. */
  readonly banMs: number;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** Called once when a peer crosses its budget (the host closes its connections). */
  readonly onBan: (peer: string, kind: Misbehaviour, detail: string) => void;
}

/** Peers whose points are remembered at most (the oldest are forgotten first). */
const MAX_TRACKED = 4_096;

/**
 * Misbehaviour points per peer, and the bans that follow them. Bans end by themselves after
 * `banMs`; the points of a banned peer are cleared, so it starts again with the full budget.
 */
export class PeerGuard {
  readonly #o: PeerGuardOptions;
  readonly #points = new Map<string, number>();
  readonly #bannedUntil = new Map<string, number>();

  constructor(options: PeerGuardOptions) {
    this.#o = options;
  }

  /** Charges `peer` for `kind`; returns true if that used up its budget (it is now banned). */
  penalise(peer: string, kind: Misbehaviour, detail: string): boolean {
    if (this.isBanned(peer)) return true;
    const total = (this.#points.get(peer) ?? 0) + pointsOf(kind, this.#o.misbehaviourBudget);
    this.#points.delete(peer);
    if (total < this.#o.misbehaviourBudget) {
      this.#points.set(peer, total);
      if (this.#points.size > MAX_TRACKED) this.#points.delete(this.#points.keys().next().value as string);
      return false;
    }
    if (this.#bannedUntil.size >= MAX_TRACKED) this.banned(); // sweeps the expired ones
    this.#bannedUntil.set(peer, this.#o.now() + this.#o.banMs);
    this.#o.onBan(peer, kind, detail);
    return true;
  }

  isBanned(peer: string): boolean {
    const until = this.#bannedUntil.get(peer);
    if (until === undefined) return false;
    if (this.#o.now() < until) return true;
    this.#bannedUntil.delete(peer);
    return false;
  }

  /** Points currently held against `peer`. */
  pointsOf(peer: string): number {
    return this.#points.get(peer) ?? 0;
  }

  /** Peers banned now, with when their ban ends (monotonic ms) and how long that is from now. */
  banned(): { peer: string; until: number; remainingMs: number }[] {
    const now = this.#o.now();
    const out: { peer: string; until: number; remainingMs: number }[] = [];
    for (const [peer, until] of this.#bannedUntil) {
      if (now < until) out.push({ peer, until, remainingMs: until - now });
      else this.#bannedUntil.delete(peer);
    }
    return out;
  }
}
