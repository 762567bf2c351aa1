import type { Prng } from './prng.ts';

/**
 * How a simulated link carries messages. A message is cut into ceil(bytes / mtu) frames; it
 * arrives only if every frame does (each is lost with probability `loss`), after the frames have
 * been serialised one after another at `bandwidthBytesPerSec` behind whatever the link is already
 * sending in that direction, plus the propagation latency and jitter. Messages arrive in order
 * unless one is picked for reordering, which holds it back by up to `reorderDelayMs`; a message
 * picked for duplication arrives twice.
 */
export interface LinkProfile {
  /** One-way propagation delay. Default 20 ms. */
  readonly latencyMs: number;
  /** Extra delay, uniform in [0, jitterMs). Default 5 ms. */
  readonly jitterMs: number;
  /** Serialisation rate; Infinity for none. Default 1,250,000 B/s (10 Mbit/s). */
  readonly bandwidthBytesPerSec: number;
  /** Largest frame payload. Default 1,400 bytes. */
  readonly mtu: number;
  /** Header bytes added to every frame (counted as sent and received). Default 0: counters show protocol bytes. */
  readonly frameOverheadBytes: number;
  /** Probability that a frame is lost (and with it the whole message). Default 0. */
  readonly loss: number;
  /** Probability that a message is delivered twice. Default 0. */
  readonly duplicate: number;
  /** Probability that a message is held back so later ones overtake it. Default 0. */
  readonly reorder: number;
  /** Most extra delay of a reordered message. Default 100 ms. */
  readonly reorderDelayMs: number;
}

export const DEFAULT_LINK_PROFILE: LinkProfile = Object.freeze({
  latencyMs: 20,
  jitterMs: 5,
  bandwidthBytesPerSec: 1_250_000,
  mtu: 1_400,
  frameOverheadBytes: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderDelayMs: 100,
});

export function checkLinkProfile(p: LinkProfile): void {
  const probabilities = ['loss', 'duplicate', 'reorder'] as const;
  for (const k of probabilities) if (!(p[k] >= 0 && p[k] <= 1)) throw new RangeError(`link ${k} must be a probability, got ${p[k]}`);
  if (!(p.latencyMs >= 0 && p.jitterMs >= 0 && p.reorderDelayMs >= 0)) throw new RangeError('link delays must be non-negative');
  if (!(p.bandwidthBytesPerSec > 0)) throw new RangeError('link bandwidth must be positive');
  if (!(Number.isInteger(p.mtu) && p.mtu >= 1)) throw new RangeError('link mtu must be a positive integer');
  if (!(Number.isInteger(p.frameOverheadBytes) && p.frameOverheadBytes >= 0)) throw new RangeError('link frame overhead must be a non-negative integer');
}

/** What happened to one message put on a link. */
export interface Transmission {
  /** Bytes on the wire, frame headers included. */
  readonly wireBytes: number;
  readonly frames: number;
  /** Arrival times: empty when lost, two when duplicated. */
  readonly arrivals: number[];
}

interface Direction {
  /** When the sender finishes serialising what it has queued. */
  busyUntil: number;
  /** Arrival time of the last in-order message, so in-order messages never overtake it. */
  lastArrival: number;
}

/** An undirected link between nodes `a` < `b`, with separate queues per direction. */
export class Link {
  readonly a: number;
  readonly b: number;
  #profile: LinkProfile;
  /** Administratively up (a partition takes links down). */
  up = true;
  /** Bumped whenever the connection breaks, so messages of a broken connection are dropped. */
  epoch = 0;
  readonly #dirs: [Direction, Direction] = [
    { busyUntil: 0, lastArrival: 0 },
    { busyUntil: 0, lastArrival: 0 },
  ];

  constructor(a: number, b: number, profile: LinkProfile) {
    checkLinkProfile(profile);
    this.a = Math.min(a, b);
    this.b = Math.max(a, b);
    this.#profile = profile;
  }

  get profile(): LinkProfile {
    return this.#profile;
  }

  /** A new profile is checked as the constructor checks one (a bad one throws RangeError, nothing changes). */
  set profile(profile: LinkProfile) {
    checkLinkProfile(profile);
    this.#profile = profile;
  }

  other(node: number): number {
    return node === this.a ? this.b : this.a;
  }

  /** A new connection starts with empty queues. */
  reset(): void {
    this.epoch++;
    for (const d of this.#dirs) {
      d.busyUntil = 0;
      d.lastArrival = 0;
    }
  }

  transmit(from: number, bytes: number, now: number, prng: Prng): Transmission {
    const p = this.profile;
    const dir = this.#dirs[from === this.a ? 0 : 1];
    const frames = Math.max(1, Math.ceil(bytes / p.mtu));
    const wireBytes = bytes + frames * p.frameOverheadBytes;
    const start = Math.max(now, dir.busyUntil);
    const sent = start + (wireBytes / p.bandwidthBytesPerSec) * 1000;
    dir.busyUntil = sent;
    const lost = p.loss > 0 && prng.chance(1 - (1 - p.loss) ** frames);
    if (lost) return { wireBytes, frames, arrivals: [] };
    let arrival = sent + p.latencyMs + prng.next() * p.jitterMs;
    if (prng.chance(p.reorder)) {
      arrival += prng.next() * p.reorderDelayMs;
    } else {
      arrival = Math.max(arrival, dir.lastArrival);
      dir.lastArrival = arrival;
    }
    const arrivals = [arrival];
    if (prng.chance(p.duplicate)) arrivals.push(arrival + prng.next() * Math.max(p.jitterMs, 1));
    return { wireBytes, frames, arrivals };
  }
}
