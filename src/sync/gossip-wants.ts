/**
 * The pending-want table of lazy push: ids this node has heard of (IHAVE) or needs (missing
 * parents) but does not hold, who announced them, whom it asked, and until when it waits. Times
 * are passed in; nothing here runs by itself.
 */

export type WantMode = 'graft' | 'iwant';

interface Want {
  readonly id: Uint8Array;
  /** Peers that announced the id and have not been asked yet, in announcement order. */
  readonly announcers: string[];
  /** The peer asked last, whose answer is awaited until `deadline`. */
  asked: string | undefined;
  deadline: number;
  mode: WantMode;
}

export interface DueRequest {
  readonly peer: string;
  readonly id: Uint8Array;
  readonly mode: WantMode;
}

export interface WantTableLimits {
  /** Most ids waited for at once; announcements beyond it are ignored (anti-entropy repairs them). */
  readonly maxWants: number;
  /** Most announcers remembered per id. */
  readonly maxAnnouncers: number;
  /** How long to wait for an answer before asking the next announcer. */
  readonly retryTimeoutMs: number;
}

function dropAnnouncer(w: Want, peer: string): void {
  const i = w.announcers.indexOf(peer);
  if (i >= 0) w.announcers.splice(i, 1);
}

export class WantTable {
  readonly limits: WantTableLimits;
  readonly #wants = new Map<string, Want>();
  /** Lower bound of the earliest deadline (exact after `due`). */
  #earliest = Infinity;

  constructor(limits: WantTableLimits) {
    this.limits = limits;
  }

  get size(): number {
    return this.#wants.size;
  }

  /** Who announced `key` (not yet asked) and who was asked, for a caller that wants to skip them. */
  holders(key: string): string[] {
    const w = this.#wants.get(key);
    if (w === undefined) return [];
    return w.asked === undefined ? [...w.announcers] : [w.asked, ...w.announcers];
  }

  /** `peer` announced `key`; the first announcement starts a wait of `delayMs` for an eager copy. */
  announce(key: string, id: Uint8Array, peer: string, now: number, delayMs: number): boolean {
    const w = this.#wants.get(key);
    if (w !== undefined) {
      this.#addAnnouncer(w, peer);
      return true;
    }
    if (this.#wants.size >= this.limits.maxWants) return false;
    this.#set(key, { id: Uint8Array.from(id), announcers: [peer], asked: undefined, deadline: now + delayMs, mode: 'graft' });
    return true;
  }

  /**
   * Ask `peer` for `key` now (a missing parent): returns true if a request should be sent, false
   * if one is already outstanding or the table is full.
   */
  request(key: string, id: Uint8Array, peer: string, now: number): boolean {
    const w = this.#wants.get(key);
    if (w === undefined) {
      if (this.#wants.size >= this.limits.maxWants) return false;
      this.#set(key, { id: Uint8Array.from(id), announcers: [], asked: peer, deadline: now + this.limits.retryTimeoutMs, mode: 'iwant' });
      return true;
    }
    if (w.asked !== undefined) {
      this.#addAnnouncer(w, peer);
      return false;
    }
    dropAnnouncer(w, peer);
    w.asked = peer;
    w.deadline = now + this.limits.retryTimeoutMs;
    return true;
  }

  /** The id arrived (or is no longer wanted). */
  resolve(key: string): void {
    this.#wants.delete(key);
  }

  /** `peer` answered `key` with bytes that did not check out: ask the next announcer at once. */
  failed(key: string, peer: string, now: number): void {
    const w = this.#wants.get(key);
    if (w === undefined) return;
    dropAnnouncer(w, peer);
    if (w.asked === peer) this.#retryAt(w, now);
  }

  /** `peer` went away: forget it as an announcer and move on from it where it was asked. */
  peerGone(peer: string, now: number): void {
    for (const w of this.#wants.values()) {
      dropAnnouncer(w, peer);
      if (w.asked === peer) this.#retryAt(w, now);
    }
  }

  /**
   * Requests whose wait is over: each goes to the next announcer, whose answer is then awaited
   * for `retryTimeoutMs`. An id with no announcer left is dropped (pull anti-entropy repairs it).
   */
  due(now: number): DueRequest[] {
    if (now < this.#earliest) return [];
    const out: DueRequest[] = [];
    let earliest = Infinity;
    for (const [key, w] of this.#wants) {
      if (w.deadline <= now) {
        const next = w.announcers.shift();
        if (next === undefined) {
          this.#wants.delete(key);
          continue;
        }
        w.asked = next;
        w.deadline = now + this.limits.retryTimeoutMs;
        out.push({ peer: next, id: w.id, mode: w.mode });
      }
      if (w.deadline < earliest) earliest = w.deadline;
    }
    this.#earliest = earliest;
    return out;
  }

  /** The earliest time `due` may return something (Infinity when nothing is pending). */
  nextDeadline(): number {
    return this.#wants.size === 0 ? Infinity : this.#earliest;
  }

  #set(key: string, want: Want): void {
    this.#wants.set(key, want);
    if (want.deadline < this.#earliest) this.#earliest = want.deadline;
  }

  /** Remembers `peer` as a later announcer of `w`, unless it is known already or the list is full. */
  #addAnnouncer(w: Want, peer: string): void {
    if (w.asked !== peer && !w.announcers.includes(peer) && w.announcers.length < this.limits.maxAnnouncers) w.announcers.push(peer);
  }

  #retryAt(w: Want, now: number): void {
    w.asked = undefined;
    w.deadline = now;
    if (now < this.#earliest) this.#earliest = now;
  }
}
